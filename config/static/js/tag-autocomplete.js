// Suggest existing tags while typing in a comma-separated tag field (admin forms).
// Fills the field's <datalist> from the admin's suggest endpoint; no inline script needed.
(function () {
  "use strict";
  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.dataset.suggestUrl;
    var timer = null;
    var last = null;
    if (!list || !url) return;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var parts = input.value.split(",");
        var current = parts.pop().trim();
        var head = parts.map(function (p) { return p.trim(); }).filter(Boolean);
        if (!current || current === last) return;
        last = current;
        fetch(url + "?q=" + encodeURIComponent(current), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) {
            list.replaceChildren();
            data.results.forEach(function (name) {
              var option = document.createElement("option");
              var quoted = name.indexOf(",") >= 0 ? '"' + name + '"' : name;
              option.value = head.concat([quoted]).join(", ");
              option.label = name;
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 150);
    });
  }
  function init() {
    document.querySelectorAll("input[data-suggest-url]").forEach(attach);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
