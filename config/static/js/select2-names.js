// Names for the admin's select2 autocompletes (issue 16, item 8). select2 draws a
// role="textbox" span for the chosen value, named only by a title it sets once something is
// chosen: an empty field (an article without a hero image) had no accessible name, a serious
// axe violation. Each such span gets its field's label; select2 builds them after page load,
// so new ones are watched for.
(function () {
  "use strict";
  function name(root) {
    root.querySelectorAll(".select2-selection__rendered[role=textbox]").forEach(function (box) {
      if (box.hasAttribute("aria-label")) return;
      var id = (box.id || "").replace(/^select2-/, "").replace(/-container$/, "");
      var label = id && document.querySelector("label[for='" + id + "']");
      if (label) box.setAttribute("aria-label", label.textContent.replace(/:\s*$/, "").trim());
    });
  }
  function start() {
    name(document);
    new MutationObserver(function () { name(document); }).observe(document.body, {
      childList: true,
      subtree: true,
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
