// The article form never loses what an editor typed (issue 14): it autosaves to the server a
// few seconds after each change and when the tab is hidden, offers an autosave back when the
// form is opened again, warns before leaving while the form differs from what was saved, and
// shows who else has the article open. Settings and URLs come from #article-editing's data-*
// attributes and the offered autosave from a json_script block: no inline script (CSP).
(function () {
  "use strict";
  var SKIP_TYPES = { button: 1, submit: 1, reset: 1, file: 1, image: 1 };
  var DRAFT_KEY = "modelpress-article-draft";

  function serialize(form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      var name = el.name;
      if (!name || el.disabled || SKIP_TYPES[el.type] || name === "csrfmiddlewaretoken" ||
          name.charAt(0) === "_" || name.indexOf("initial-") === 0) return;
      if (el.type === "checkbox") {
        fields[name] = (fields[name] || []).concat(el.checked ? [el.value] : []);
      } else if (el.type === "radio") {
        if (!(name in fields)) fields[name] = "";
        if (el.checked) fields[name] = el.value;
      } else if (el.tagName === "SELECT") {
        fields[name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return [o.value, o.text]; });
      } else {
        fields[name] = el.value;
      }
    });
    return fields;
  }

  function fillOne(el, value) {
    if (el.type === "checkbox") {
      el.checked = Array.isArray(value) && value.indexOf(el.value) >= 0;
    } else if (el.type === "radio") {
      el.checked = el.value === value;
    } else if (el.tagName === "SELECT") {
      var wanted = {};
      (Array.isArray(value) ? value : []).forEach(function (pair) {
        if (Array.isArray(pair)) wanted[pair[0]] = pair[1];
      });
      Array.prototype.forEach.call(el.options, function (o) {
        o.selected = o.value in wanted;
        delete wanted[o.value];
      });
      Object.keys(wanted).forEach(function (v) {  // an autocomplete holds only its choice
        el.add(new Option(wanted[v], v, true, true));
      });
    } else if (typeof value === "string") {
      el.value = value;
    }
  }

  // In the form's order (a stored JSON object may come back in any order), so that a title's
  // change event, which may rewrite the slug, comes before the slug is restored.
  function fill(form, fields) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP_TYPES[el.type] || !(el.name in fields)) return;
      fillOne(el, fields[el.name]);
      el.dispatchEvent(new Event("change", { bubbles: true }));
      if (window.django && window.django.jQuery) window.django.jQuery(el).trigger("change.select2");
    });
  }

  // Does the form already hold everything in `fields`? (The version it started from aside.)
  function sameAs(form, fields) {
    var now = serialize(form);
    return Object.keys(fields).every(function (name) {
      return !(name in now) || name === "base_version" ||
        JSON.stringify(now[name]) === JSON.stringify(fields[name]);
    });
  }

  function formatTime(iso) {
    var when = new Date(iso);
    var time = new Intl.DateTimeFormat(undefined,
      { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(when);
    if (when.toDateString() === new Date().toDateString()) return time;
    return new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" }).format(when) +
      ", " + time;
  }

  function draftId() {
    var id = sessionStorage.getItem(DRAFT_KEY);
    if (!id || !/^[A-Za-z0-9-]{1,40}$/.test(id)) {
      var bytes = crypto.getRandomValues(new Uint8Array(16));
      id = Array.prototype.map.call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("");
      sessionStorage.setItem(DRAFT_KEY, id);
    }
    return id;
  }

  function post(url, token, body, keepalive) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", body: body || "{}",
      // A keepalive request may carry at most 64 KiB; a larger one goes as a plain request.
      keepalive: Boolean(keepalive) && (body || "").length < 60000,
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
    });
  }

  function Editor(config, form) {
    this.config = config.dataset;
    this.form = form;
    this.token = form.elements.csrfmiddlewaretoken.value;
    this.isNew = !this.config.presenceUrl;
    // A save the server refused shows the typed text again: it is unsaved, and may be newer
    // than the last autosave (typed less than a few seconds before submitting).
    this.saved = this.config.unsaved ? null : JSON.stringify(serialize(form));
    this.lastSent = this.config.unsaved ? null : JSON.stringify(serialize(form));
    this.submitting = false;
    this.undecided = false;
    this.timer = null;
    this.status = document.getElementById("article-autosave-status");
    if (this.isNew) this.useDraft(draftId());
  }

  Editor.prototype.useDraft = function (id) {
    sessionStorage.setItem(DRAFT_KEY, id);
    this.draft = id;
    var input = this.form.elements._autosave_draft;
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = "_autosave_draft";
      this.form.appendChild(input);
    }
    input.value = id;
  };

  Editor.prototype.dirty = function () {
    return this.saved === null || JSON.stringify(serialize(this.form)) !== this.saved;
  };

  Editor.prototype.schedule = function () {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.send(false); },
      parseFloat(this.config.delay) * 1000);
  };

  Editor.prototype.send = function (keepalive) {
    clearTimeout(this.timer);
    if (!this.config.autosaveUrl || this.submitting) return;
    if (this.undecided && !this.isNew) {  // would overwrite the autosave still on offer
      this.say("Not autosaved until you restore or discard the earlier changes.");
      return;
    }
    var fields = serialize(this.form);
    var current = JSON.stringify(fields);
    if (current === this.lastSent) return;
    var self = this;
    var body = JSON.stringify({ draft: this.draft || "", fields: fields });
    post(this.config.autosaveUrl, this.token, body, keepalive).then(function (response) {
      if (response.ok) {
        self.lastSent = current;
        return response.json().then(function (data) {
          self.say("Autosaved at " + formatTime(data.saved_at) + ".");
        });
      }
      self.say(response.status === 413 ? "Too large to autosave: save the article."
        : "Could not autosave (" + response.status + "): save the article.");
    }).catch(function () { self.say("Could not autosave: check the connection."); });
  };

  Editor.prototype.say = function (text) {
    if (this.status) this.status.textContent = text;
  };

  Editor.prototype.offer = function (autosave) {
    var box = document.getElementById("article-recovery");
    if (!autosave || !box || !this.config.autosaveUrl) return;
    var discardUrl = this.config.discardUrl +
      (this.isNew ? "?draft=" + encodeURIComponent(autosave.draft) : "");
    if (sameAs(this.form, autosave.fields)) {  // nothing in it that the form lacks
      post(discardUrl, this.token);
      return;
    }
    var self = this;
    var time = document.getElementById("article-recovery-time");
    time.textContent = formatTime(autosave.saved_at);
    time.setAttribute("datetime", autosave.saved_at);
    box.hidden = false;
    this.undecided = true;
    document.getElementById("article-recovery-restore").addEventListener("click", function () {
      fill(self.form, autosave.fields);
      if (self.isNew) self.useDraft(autosave.draft);
      self.lastSent = JSON.stringify(serialize(self.form));
      self.decided(box, "Restored the unsaved changes from " + formatTime(autosave.saved_at) +
        ". Save to keep them.");
    });
    document.getElementById("article-recovery-discard").addEventListener("click", function () {
      post(discardUrl, self.token).then(function () {
        self.decided(box, "Discarded the unsaved changes.");
      });
    });
  };

  Editor.prototype.decided = function (box, message) {
    box.hidden = true;
    this.undecided = false;
    this.say(message);
    this.schedule();
  };

  Editor.prototype.listen = function () {
    var self = this;
    var changed = function () { self.schedule(); };
    this.form.addEventListener("input", changed);
    this.form.addEventListener("change", changed);
    if (window.django && window.django.jQuery) window.django.jQuery(this.form).on("change", changed);
    this.form.addEventListener("submit", function (event) {
      var target = event.submitter && event.submitter.getAttribute("formtarget");
      if (target === "_blank") return;  // the preview opens a tab; this page stays
      self.submitting = true;
      clearTimeout(self.timer);
    });
    window.addEventListener("beforeunload", function (event) {
      if (self.submitting || !self.dirty()) return;
      event.preventDefault();
      event.returnValue = "";
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") self.send(true);
    });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) self.submitting = false;  // back from the cache, not submitted
    });
  };

  function Presence(config, token) {
    this.url = config.dataset.presenceUrl;
    this.leaveUrl = config.dataset.leaveUrl;
    this.interval = parseFloat(config.dataset.interval) * 1000;
    this.token = token;
    this.box = document.getElementById("article-presence");
  }

  Presence.prototype.beat = function () {
    var self = this;
    post(this.url, this.token).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) { if (data) self.show(data.others); }).catch(function () {});
  };

  Presence.prototype.show = function (others) {
    var box = this.box;
    box.replaceChildren();
    others.forEach(function (other) {
      var line = document.createElement("p");
      var time = document.createElement("time");
      time.setAttribute("datetime", other.since);
      time.textContent = formatTime(other.since);
      line.append(other.name + " is editing (since ", time, ")");
      box.appendChild(line);
    });
    box.hidden = others.length === 0;
  };

  Presence.prototype.start = function () {
    var self = this;
    this.beat();
    setInterval(function () { self.beat(); }, this.interval);
    window.addEventListener("pagehide", function () { post(self.leaveUrl, self.token, "{}", true); });
    window.addEventListener("pageshow", function (event) { if (event.persisted) self.beat(); });
  };

  function start() {
    var config = document.getElementById("article-editing");
    var form = config && config.closest("form");
    if (!form) return;
    var editor = new Editor(config, form);
    var offered = document.getElementById("article-autosave");
    editor.offer(offered ? JSON.parse(offered.textContent) : null);
    editor.listen();
    if (config.dataset.unsaved) editor.schedule();
    if (config.dataset.presenceUrl) new Presence(config, editor.token).start();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
