/* The operator's desk: drag and drop, size checks before an upload, progress, the year chooser.
   Everything else is htmx attributes in the pages. No inline script anywhere (the CSP forbids it). */
(function () {
  "use strict";

  function flash(kind, title, text) {
    var box = document.getElementById("flash");
    if (!box) { window.alert(title + " " + text); return; }
    box.textContent = "";
    var div = document.createElement("div");
    div.className = "flash " + kind;
    div.setAttribute("role", kind === "error" ? "alert" : "status");
    var strong = document.createElement("strong");
    strong.textContent = title;
    div.appendChild(strong);
    div.appendChild(document.createTextNode(" " + text));
    box.appendChild(div);
    box.scrollIntoView({ block: "nearest" });
  }

  function mb(bytes) { return (bytes / 1048576).toFixed(0) + " MB"; }

  /* Files of a dropped folder, found by walking its entries (readEntries gives batches). */
  function walk(entry, out) {
    return new Promise(function (resolve) {
      if (entry.isFile) {
        entry.file(function (file) { out.push(file); resolve(); }, function () { resolve(); });
      } else if (entry.isDirectory) {
        var reader = entry.createReader();
        var next = function () {
          reader.readEntries(function (batch) {
            if (!batch.length) { resolve(); return; }
            Promise.all(batch.map(function (e) { return walk(e, out); })).then(next);
          }, function () { resolve(); });
        };
        next();
      } else { resolve(); }
    });
  }

  function droppedFiles(dataTransfer) {
    var items = dataTransfer.items ? Array.prototype.slice.call(dataTransfer.items) : [];
    var entries = items.map(function (i) { return i.webkitGetAsEntry ? i.webkitGetAsEntry() : null; });
    if (!entries.length || entries.some(function (e) { return !e; })) {
      return Promise.resolve(Array.prototype.slice.call(dataTransfer.files));
    }
    var out = [];
    return Promise.all(entries.map(function (e) { return walk(e, out); })).then(function () { return out; });
  }

  function bindUpload() {
    var zone = document.getElementById("drop-zone");
    var form = document.getElementById("upload-form");
    if (!zone || !form) return;
    var files = document.getElementById("pick-files");
    var folder = document.getElementById("pick-folder");
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (ev) { ev.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (ev) {
      ev.preventDefault();
      droppedFiles(ev.dataTransfer).then(function (list) {
        if (!list.length) return;
        var transfer = new DataTransfer();
        list.forEach(function (f) { transfer.items.add(f); });
        folder.value = "";
        files.files = transfer.files;
        form.requestSubmit();
      });
    });
    files.addEventListener("change", function () { folder.value = ""; if (files.files.length) form.requestSubmit(); });
    folder.addEventListener("change", function () { files.value = ""; if (folder.files.length) form.requestSubmit(); });
  }

  /* Refuse what the server would refuse, before sending megabytes for nothing. */
  document.addEventListener("htmx:beforeRequest", function (ev) {
    var form = ev.detail.elt;
    if (!form || !form.dataset || !form.dataset.maxFile) return;
    var maxFile = Number(form.dataset.maxFile), maxAll = Number(form.dataset.maxRequest);
    var attachments = Boolean(form.dataset.attachments);  /* kept whole: a .zip counts too */
    var total = 0, big = [];
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (f) {
        total += f.size;
        if ((attachments || !/\.zip$/i.test(f.name)) && f.size > maxFile) big.push(f.name);
      });
    });
    if (big.length || total > maxAll) {
      ev.preventDefault();
      form.querySelectorAll("input[type=file]").forEach(function (input) { input.value = ""; });
      if (big.length && attachments) {
        flash("error", "附件过大。", "“" + big.slice(0, 3).join("”、“") + "”超过 " + mb(maxFile) + "，本次没有上传。请压缩或拆分后重新上传。");
      } else if (big.length) {
        flash("error", "文件过大。", "“" + big.slice(0, 3).join("”、“") + "”超过 " + mb(maxFile) + "，不像是评分表，本次没有上传。请去掉该文件后重新上传。");
      } else {
        flash("error", "上传内容过大。", "一次上传不能超过 " + mb(maxAll) + "，请分几次上传。");
      }
    }
  });

  document.addEventListener("htmx:xhr:progress", function (ev) {
    var bar = document.getElementById("upload-progress");
    if (bar && ev.detail.lengthComputable && ev.detail.total > 262144) {
      bar.hidden = false;
      bar.max = ev.detail.total;
      bar.value = ev.detail.loaded;
    }
  });

  document.addEventListener("htmx:afterRequest", function (ev) {
    var bar = document.getElementById("upload-progress");
    if (bar) bar.hidden = true;
    var form = ev.detail.elt;
    if (form && form.querySelectorAll && form.tagName === "FORM") {
      /* The same file can then be chosen again (a change event needs a new value). */
      form.querySelectorAll("input[type=file]").forEach(function (input) { input.value = ""; });
      form.querySelectorAll(".chosen").forEach(function (span) { span.textContent = ""; });
    }
  });

  /* A message is shown where it is seen: the form that asked may be far below it. */
  document.addEventListener("htmx:afterSwap", function (ev) {
    var box = ev.detail.target;
    if (box && box.id === "flash" && box.firstElementChild) box.scrollIntoView({ block: "nearest" });
  });

  document.addEventListener("htmx:sendError", function () {
    flash("error", "无法连接工作台。", "工作台可能已经停止。请回到启动窗口查看，或重新启动工作台。");
  });

  document.addEventListener("change", function (ev) {
    var input = ev.target;
    if (input && input.type === "file" && input.form) {
      var span = input.form.querySelector(".chosen");
      var n = input.files.length;
      if (span) span.textContent = n > 1 ? input.files[0].name + " 等 " + n + " 个文件" : n ? input.files[0].name : "";
    }
  });

  function ready() {
    var select = document.getElementById("year-select");
    if (select) select.addEventListener("change", function () { select.form.submit(); });
    bindUpload();
  }
  if (document.readyState !== "loading") ready(); else document.addEventListener("DOMContentLoaded", ready);
})();
