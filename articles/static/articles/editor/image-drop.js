// Images into the body (issue 16, item 4): drop or paste a picture on the body, or pick one
// with the toolbar's Image button (a hidden file input sharing the same path). A small dialog
// asks for the alt text (required); the file goes to the admin's editor/image/ endpoint, which
// validates and stores it as the image library does, and `![alt](image:ID)` is inserted.
(function () {
  "use strict";

  function imageFiles(list) {
    return Array.prototype.filter.call(list || [], function (file) {
      return /^image\//.test(file.type);
    });
  }

  function buildDialog() {
    var dialog = document.createElement("dialog");
    dialog.className = "image-dialog";
    dialog.id = "image-dialog";
    dialog.setAttribute("aria-labelledby", "image-dialog-title");
    dialog.innerHTML =
      '<form><h2 id="image-dialog-title">Add an image to the library</h2>' +
      '<p class="image-dialog__file"></p>' +
      '<label for="image-dialog-alt">Alt text (required)</label>' +
      '<input type="text" id="image-dialog-alt" name="alt" required maxlength="250" ' +
      'aria-describedby="image-dialog-help">' +
      '<p class="help" id="image-dialog-help">Describe the image for readers who cannot see it.</p>' +
      '<p class="image-dialog__error" role="alert"></p>' +
      '<div class="image-dialog__buttons"><button type="button" class="button" value="cancel">Cancel</button>' +
      '<button type="submit" class="button default">Upload and insert</button></div></form>';
    document.body.appendChild(dialog);
    return dialog;
  }

  function init() {
    var config = document.getElementById("editor-config");
    var area = document.getElementById("id_body");
    if (!config || !area || area.tagName !== "TEXTAREA" || !config.dataset.imageUrl) return;
    var dialog = buildDialog();
    var form = dialog.querySelector("form"), alt = dialog.querySelector("input");
    var error = dialog.querySelector(".image-dialog__error");
    var submit = dialog.querySelector("button[type=submit]");
    var picker = document.createElement("input");
    picker.type = "file";
    picker.accept = "image/jpeg,image/png,image/webp,image/gif";
    picker.hidden = true;
    picker.id = "editor-image-input";
    picker.setAttribute("aria-label", "Image to upload");
    area.parentNode.appendChild(picker);
    var pending = null, at = 0;

    function ask(file) {
      pending = file;
      at = area.selectionEnd;
      alt.value = "";
      error.textContent = "";
      submit.disabled = false;
      dialog.querySelector(".image-dialog__file").textContent = file.name || "Pasted image";
      dialog.showModal();
      alt.focus();
    }

    function upload() {
      var data = new FormData();
      data.append("file", pending, pending.name || "pasted.png");
      data.append("alt", alt.value.trim());
      submit.disabled = true;
      error.textContent = "Uploading…";
      fetch(config.dataset.imageUrl, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": window.ModelPressEditor.csrfToken() },
      }).then(function (response) {
        return response.json().then(function (json) { return { ok: response.ok, json: json }; });
      }).then(function (answer) {
        submit.disabled = false;
        if (!answer.ok) { error.textContent = answer.json.error || "The upload failed."; return; }
        dialog.close();
        var before = area.value.slice(0, at);
        var lead = !before || /\n$/.test(before) ? "" : "\n";
        window.ModelPressEditor.insert(area, lead + answer.json.markdown + "\n", at, at);
      }).catch(function () {
        submit.disabled = false;
        error.textContent = "The upload failed (offline?).";
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!alt.value.trim()) { error.textContent = "Alt text is required."; alt.focus(); return; }
      upload();
    });
    dialog.querySelector("button[value=cancel]").addEventListener("click", function () {
      dialog.close();
      area.focus();
    });
    area.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
        event.preventDefault();
      }
    });
    area.addEventListener("drop", function (event) {
      var files = imageFiles(event.dataTransfer && event.dataTransfer.files);
      if (!files.length) return;
      event.preventDefault();
      ask(files[0]);
    });
    area.addEventListener("paste", function (event) {
      var files = imageFiles(event.clipboardData && event.clipboardData.files);
      if (!files.length) return;
      event.preventDefault();
      ask(files[0]);
    });
    picker.addEventListener("change", function () {
      var files = imageFiles(picker.files);
      if (files.length) ask(files[0]);
      picker.value = "";
    });
    document.addEventListener("editor:pick-image", function () { picker.click(); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
