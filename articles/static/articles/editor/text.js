// Shared by the editor's modules (issue 16): insert text into the article body at the
// selection, keeping the browser's undo history where it can, and telling listeners (the
// live preview) with an "input" event either way.
(function () {
  "use strict";
  function insert(area, text, start, end) {
    area.focus();
    if (start !== undefined) area.setSelectionRange(start, end === undefined ? start : end);
    var done = false;
    try {
      done = document.execCommand("insertText", false, text);
    } catch (error) {
      done = false;
    }
    if (!done) {
      area.setRangeText(text, area.selectionStart, area.selectionEnd, "end");
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }
  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  window.ModelPressEditor = { insert: insert, csrfToken: csrfToken };
})();
