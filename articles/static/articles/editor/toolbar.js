// Markdown toolbar (issue 16, item 4): buttons acting on the body's selection. One tab stop,
// arrow keys move between buttons (a WAI-ARIA toolbar); Ctrl/Cmd+B, I and K work in the body.
(function () {
  "use strict";
  var TABLE = "| Column | Column |\n|---|---|\n| Cell | Cell |\n";

  function lineStart(text, index) { return text.lastIndexOf("\n", index - 1) + 1; }

  function wrap(area, before, after, placeholder) {
    var start = area.selectionStart, end = area.selectionEnd;
    var selected = area.value.slice(start, end) || placeholder;
    window.ModelPressEditor.insert(area, before + selected + after, start, end);
    area.setSelectionRange(start + before.length, start + before.length + selected.length);
  }

  function prefixLines(area, prefix) {
    var start = lineStart(area.value, area.selectionStart), end = area.selectionEnd;
    var lines = area.value.slice(start, end).split("\n");
    var text = lines.map(function (line) { return prefix + line; }).join("\n");
    window.ModelPressEditor.insert(area, text, start, end);
  }

  function block(area, text) {
    var start = area.selectionStart, before = area.value.slice(0, start);
    var lead = !before || /\n\n$/.test(before) ? "" : (/\n$/.test(before) ? "\n" : "\n\n");
    window.ModelPressEditor.insert(area, lead + text + "\n", start, area.selectionEnd);
  }

  var ACTIONS = [
    ["heading", "Heading", "H", function (a) { prefixLines(a, "## "); }],
    ["bold", "Bold (Ctrl+B)", "B", function (a) { wrap(a, "**", "**", "bold text"); }],
    ["italic", "Italic (Ctrl+I)", "I", function (a) { wrap(a, "_", "_", "italic text"); }],
    ["link", "Link (Ctrl+K)", "Link", function (a) { wrap(a, "[", "](https://)", "link text"); }],
    ["list", "Bulleted list", "List", function (a) { prefixLines(a, "- "); }],
    ["table", "Table", "Table", function (a) { block(a, TABLE); }],
    ["code", "Code block", "Code", function (a) { wrap(a, "```\n", "\n```", "code"); }],
    ["image", "Image from your computer", "Image", function () {
      document.dispatchEvent(new CustomEvent("editor:pick-image"));
    }],
    ["model", "Reference a catalog model", "Model", function (a) {
      window.ModelPressEditor.insert(a, "[[model:", a.selectionStart, a.selectionEnd);
    }],
  ];
  var KEYS = { b: "bold", i: "italic", k: "link" };

  function init() {
    var area = document.getElementById("id_body");
    if (!document.getElementById("editor-config") || !area || area.tagName !== "TEXTAREA") return;
    var bar = document.createElement("div");
    bar.className = "editor-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Markdown formatting");
    bar.setAttribute("aria-controls", "id_body");
    var byName = {};
    ACTIONS.forEach(function (action, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.dataset.action = action[0];
      button.title = action[1];
      button.setAttribute("aria-label", action[1]);
      button.textContent = action[2];
      button.tabIndex = index === 0 ? 0 : -1;
      // Keep the textarea's selection: a click on a button would otherwise take the focus.
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () { action[3](area); });
      byName[action[0]] = action[3];
      bar.appendChild(button);
    });
    bar.addEventListener("keydown", function (event) {
      var buttons = Array.prototype.slice.call(bar.querySelectorAll("button"));
      var index = buttons.indexOf(document.activeElement), next = null;
      if (event.key === "ArrowRight") next = (index + 1) % buttons.length;
      else if (event.key === "ArrowLeft") next = (index - 1 + buttons.length) % buttons.length;
      else if (event.key === "Home") next = 0;
      else if (event.key === "End") next = buttons.length - 1;
      if (next === null) return;
      event.preventDefault();
      buttons.forEach(function (b, i) { b.tabIndex = i === next ? 0 : -1; });
      buttons[next].focus();
    });
    area.addEventListener("keydown", function (event) {
      var name = KEYS[event.key && event.key.toLowerCase()];
      if (!name || !(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
      event.preventDefault();
      byName[name](area);
    });
    var host = area.closest(".editor-split") || area;
    host.parentNode.insertBefore(bar, host);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
