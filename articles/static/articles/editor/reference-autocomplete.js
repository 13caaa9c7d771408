// Reference suggestions (issue 16, item 4): typing `[[model:` or `[[article:` in the body
// lists matching entries from the admin's editor/references/ endpoint; arrow keys choose,
// Enter or Tab inserts `[[model:slug]]`, Escape closes.
(function () {
  "use strict";
  var TRIGGER = /\[\[(model|article):([A-Za-z0-9_-]{0,100})$/;

  function init() {
    var config = document.getElementById("editor-config");
    var area = document.getElementById("id_body");
    if (!config || !area || area.tagName !== "TEXTAREA" || !config.dataset.referencesUrl) return;
    var list = document.createElement("ul");
    list.id = "reference-suggestions";
    list.className = "reference-suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Matching references");
    list.hidden = true;
    area.parentNode.appendChild(list);
    var live = document.createElement("p");
    live.className = "visually-hidden";
    live.setAttribute("role", "status");
    area.parentNode.appendChild(live);
    var timer = null, asked = 0, match = null, active = -1;

    function close() {
      list.hidden = true;
      list.innerHTML = "";
      active = -1;
      area.removeAttribute("aria-activedescendant");
    }

    function choose(index) {
      var options = list.querySelectorAll("[role=option]");
      if (!options[index] || !match) return;
      var end = area.selectionStart, start = end - match[0].length;
      var text = "[[" + match[1] + ":" + options[index].dataset.slug + "]]";
      close();
      window.ModelPressEditor.insert(area, text, start, end);
    }

    function mark(index) {
      var options = list.querySelectorAll("[role=option]");
      active = index;
      options.forEach(function (option, i) { option.setAttribute("aria-selected", String(i === index)); });
      if (options[index]) {
        area.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      }
    }

    function show(results) {
      list.innerHTML = "";
      results.forEach(function (result, index) {
        var option = document.createElement("li");
        option.id = "reference-option-" + index;
        option.setAttribute("role", "option");
        option.dataset.slug = result.slug;
        option.textContent = result.label;
        var code = document.createElement("code");
        code.textContent = result.slug;
        option.appendChild(code);
        option.addEventListener("mousedown", function (event) { event.preventDefault(); choose(index); });
        list.appendChild(option);
      });
      list.hidden = !results.length;
      live.textContent = results.length ? results.length + " suggestions" : "No match";
      if (results.length) mark(0);
    }

    function lookup() {
      match = TRIGGER.exec(area.value.slice(0, area.selectionStart));
      if (!match) { close(); return; }
      var number = ++asked;
      var url = config.dataset.referencesUrl + "?kind=" + match[1] + "&q=" + encodeURIComponent(match[2]);
      fetch(url, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (json) { if (number === asked) show(json.results || []); })
        .catch(close);
    }

    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookup, 150);
    });
    area.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      var count = list.querySelectorAll("[role=option]").length;
      if (event.key === "ArrowDown") mark((active + 1) % count);
      else if (event.key === "ArrowUp") mark((active - 1 + count) % count);
      else if (event.key === "Enter" || event.key === "Tab") choose(active);
      else if (event.key === "Escape") close();
      else return;
      event.preventDefault();
      event.stopImmediatePropagation();
    });
    area.addEventListener("blur", close);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
