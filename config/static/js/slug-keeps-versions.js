// Slugs keep version numbers apart (issue 16): "Llama 3.1 405B" -> "llama-3-1-405b".
// Django's URLify drops the dot ("llama-31-405b"); the server's slug_from_title
// (config/lib/text.py) reads the dot as a separator, and so does this. prepopulate.js looks
// URLify up on every keystroke, and the admin loads urlify.js after a ModelAdmin's own media,
// so URLify is wrapped once the page's scripts have run.
(function () {
  "use strict";
  function wrap() {
    var original = window.URLify;
    if (typeof original !== "function" || original.keepsVersions) return;
    var wrapped = function (text, maxLength, allowUnicode) {
      return original(String(text).replace(/\./g, " "), maxLength, allowUnicode);
    };
    wrapped.keepsVersions = true;
    window.URLify = wrapped;
  }
  wrap();
  document.addEventListener("DOMContentLoaded", wrap);
})();
