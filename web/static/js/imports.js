/* Plan upload with progress: the form goes to POST /api/imports by XMLHttpRequest, so
   the page can show how much was sent, then a spinner while the server reads the
   plan, then opens the review page. A PDF or a scan is read in the background (202):
   the page then shows its pages read, asking every second, and opens the review page
   when it is read. Without JavaScript the form posts as usual. */
(function () {
  "use strict";
  var form = document.getElementById("import-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) { return; }
  var progress = document.getElementById("import-progress");
  var bar = progress.querySelector("progress");
  var label = progress.querySelector(".import-progress-label");
  var error = document.getElementById("import-error");
  var button = form.querySelector("button[type=submit]");
  var token = document.querySelector("meta[name=csrf-token]");

  function show(message) {
    progress.hidden = true;
    button.disabled = false;
    error.textContent = message;
    error.hidden = false;
  }

  function follow(url) {
    var poll = new XMLHttpRequest();
    poll.open("GET", url);
    poll.setRequestHeader("Accept", "application/json");
    poll.onload = function () {
      var job = null;
      try { job = JSON.parse(poll.responseText); } catch (ignored) { job = null; }
      if (!job) { show(form.dataset.failed); return; }
      if (job.state === "done" && job.url) { window.location.assign(job.url); return; }
      if (job.state === "failed") { show(job.error || form.dataset.failed); return; }
      bar.max = job.total || 1;
      bar.value = job.done;
      label.textContent = form.dataset.pages.replace("%(done)s", job.done).replace("%(total)s", job.total);
      window.setTimeout(function () { follow(url); }, 1000);
    };
    poll.onerror = function () { show(form.dataset.failed); };
    poll.send();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    error.hidden = true;
    button.disabled = true;
    progress.hidden = false;
    bar.max = 100;
    bar.value = 0;
    label.textContent = form.dataset.uploading;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.dataset.api);
    xhr.setRequestHeader("Accept", "application/json");
    if (token) { xhr.setRequestHeader("X-CSRFToken", token.content); }
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
    };
    xhr.upload.onload = function () {
      bar.removeAttribute("value");  // indeterminate: the server is reading
      label.textContent = form.dataset.reading;
    };
    xhr.onload = function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (ignored) { body = null; }
      if (xhr.status === 201 && body && body.review_url) {
        label.textContent = form.dataset.reading;
        window.location.assign(body.review_url);
      } else if (xhr.status === 202 && body && body.progress_url) {
        follow(body.progress_url);
      } else {
        show(body && body.error ? body.error.message : form.dataset.failed);
      }
    };
    xhr.onerror = function () { show(form.dataset.failed); };
    xhr.send(new FormData(form));
  });
}());
