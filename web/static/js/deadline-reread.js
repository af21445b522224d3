/* Deadline texts on the import review are read again as the person types: a moment
   after the last key, the text goes to GET /api/imports/<id>/deadline and the
   schedule beside it shows what it now reads as (a date, a period, a recurrence), or
   "no date yet" with the reason and a date box to settle it. Answers to older texts
   are dropped. Without
   JavaScript the text is read again on confirm. */
(function () {
  "use strict";
  var form = document.querySelector("form.import-review");
  if (!form || !form.dataset.deadlineUrl || !window.XMLHttpRequest) { return; }
  var year = document.getElementById("plan-year");
  var WAIT_MS = 300;

  function show(output, row, answer) {
    output.textContent = "";
    if (answer.resolved) {
      output.textContent = answer.summary;
    } else {
      var badge = document.createElement("span");
      badge.className = "badge badge-wait";
      badge.textContent = answer.summary;
      var reason = document.createElement("span");
      reason.className = "unread-reason";
      reason.textContent = answer.reason;
      output.appendChild(badge);
      output.appendChild(document.createTextNode(" "));
      output.appendChild(reason);
    }
    row.classList.toggle("unresolved", !answer.resolved);
    var setDate = row.querySelector(".set-date");
    if (setDate) {
      setDate.hidden = answer.resolved;
      if (answer.resolved) { setDate.querySelector("input").value = ""; }  // the text's reading wins
    }
  }

  function watch(input) {
    var output = document.getElementById(input.id.replace(/deadline_text$/, "schedule"));
    var row = input.closest("tr");
    if (!output || !row) { return; }
    var timer = null;
    var asked = 0;

    function ask() {
      var ticket = ++asked;
      var query = "?text=" + encodeURIComponent(input.value) + (year ? "&year=" + encodeURIComponent(year.value) : "");
      var xhr = new XMLHttpRequest();
      xhr.open("GET", form.dataset.deadlineUrl + query);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.onload = function () {
        if (ticket !== asked) { return; }  // the person typed on since
        var answer = null;
        try { answer = JSON.parse(xhr.responseText); } catch (ignored) { answer = null; }
        if (xhr.status === 200 && answer) {
          show(output, row, answer);
        } else {
          output.textContent = form.dataset.noAnswer;
        }
      };
      xhr.onerror = function () {
        if (ticket === asked) { output.textContent = form.dataset.noAnswer; }
      };
      xhr.send();
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, WAIT_MS);
    });
  }

  Array.prototype.forEach.call(form.querySelectorAll("input[id$='-deadline_text']"), watch);
}());
