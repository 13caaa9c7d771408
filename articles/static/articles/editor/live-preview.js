// Live preview (issue 16, item 3): the body rendered beside the textarea, as readers will see
// it. Typing is debounced (300 ms) and POSTed to the admin's editor/preview/ endpoint, which
// renders through the same code as a save; the answer goes into a shadow root that loads the
// public site.css, so the public article styles apply to the panel and nowhere else.
(function () {
  "use strict";
  var DELAY = 300;
  var STORAGE_KEY = "modelpress.livePreview";

  function build(config, area) {
    var split = document.createElement("div");
    split.className = "editor-split";
    var source = document.createElement("div");
    source.className = "editor-split__source";
    area.parentNode.insertBefore(split, area);
    source.appendChild(area);
    split.appendChild(source);
    var panel = document.createElement("section");
    panel.id = "live-preview";
    panel.className = "live-preview";
    panel.setAttribute("aria-label", "Live preview");
    var status = document.createElement("p");
    status.className = "live-preview__status";
    status.setAttribute("role", "status");
    var host = document.createElement("div");
    var root = host.attachShadow({ mode: "open" });
    [config.dataset.articleCss, config.dataset.hostCss].forEach(function (href) {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = href;
      root.appendChild(link);
    });
    var prose = document.createElement("article");
    prose.className = "prose";
    root.appendChild(prose);
    panel.append(status, host);
    split.appendChild(panel);
    return { split: split, panel: panel, status: status, prose: prose };
  }

  function toggleButton(parts) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "editor-toggle";
    button.setAttribute("aria-controls", "live-preview");
    function show(open) {
      parts.panel.hidden = !open;
      parts.split.classList.toggle("editor-split--closed", !open);
      button.setAttribute("aria-expanded", String(open));
      button.textContent = open ? "Hide live preview" : "Show live preview";
      try { localStorage.setItem(STORAGE_KEY, open ? "open" : "closed"); } catch (e) { /* private mode */ }
    }
    button.addEventListener("click", function () { show(parts.panel.hidden); });
    var saved = null;
    try { saved = localStorage.getItem(STORAGE_KEY); } catch (e) { /* private mode */ }
    show(saved !== "closed");
    parts.split.parentNode.insertBefore(button, parts.split);
    return button;
  }

  function init() {
    var config = document.getElementById("editor-config");
    var area = document.getElementById("id_body");
    if (!config || !area || area.tagName !== "TEXTAREA") return;
    var parts = build(config, area);
    toggleButton(parts);
    var timer = null, sent = 0;
    function render() {
      var number = ++sent;
      var data = new FormData();
      data.append("body", area.value);
      data.append("article", config.dataset.article || "");
      parts.status.textContent = "Updating…";
      fetch(config.dataset.previewUrl, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": window.ModelPressEditor.csrfToken() },
      }).then(function (response) {
        return response.json().then(function (json) { return { ok: response.ok, json: json }; });
      }).then(function (answer) {
        if (number !== sent) return; // a newer request is on its way
        if (!answer.ok) { parts.status.textContent = answer.json.error || "Preview failed."; return; }
        parts.prose.innerHTML = answer.json.html; // sanitised by the server, as on the site
        parts.status.textContent = (answer.json.notes || []).join(" ") || "Up to date.";
        parts.panel.dispatchEvent(new CustomEvent("livepreview:rendered", { bubbles: true }));
      }).catch(function () {
        if (number === sent) parts.status.textContent = "Preview unavailable (offline?).";
      });
    }
    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(render, DELAY);
    });
    render();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
