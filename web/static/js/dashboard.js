/* The plan dashboard's two charts, drawn with Chart.js from the JSON the page embeds
   (#dashboard-data): status by lead unit (stacked bars) and completion over time
   (cumulative lines). The page reads fine without them: every number is in a table. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var colours = {
    done_on_time: "#2e8b57", done_late: "#e0a100", in_progress: "#0b4f9c",
    overdue: "#b3261e", waiting_date: "#9aa5b1"
  };
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = false;  // office screens, screenshots: draw at once

  // Unit names are long ("Trung tâm Phục vụ - Kiểm soát thủ tục hành chính tỉnh"):
  // Chart.js draws an array label as several lines, so wrap at word boundaries.
  function wrap(text, width) {
    var lines = [""];
    text.split(" ").forEach(function (word) {
      var last = lines.length - 1;
      if (lines[last] && (lines[last] + " " + word).length > width) { lines.push(word); }
      else { lines[last] = lines[last] ? lines[last] + " " + word : word; }
    });
    return lines;
  }

  function statusByUnit(canvas) {
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.units.map(function (u) { return wrap(u.name, 24); }),
        datasets: data.states.map(function (s) {
          return {
            label: s.label, backgroundColor: colours[s.key],
            data: data.units.map(function (u) { return u.counts[s.key]; })
          };
        })
      },
      options: {
        indexAxis: "y", maintainAspectRatio: false,
        scales: { x: { stacked: true, ticks: { precision: 0 } }, y: { stacked: true } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }

  function completionOverTime(canvas) {
    var months = data.completion.map(function (p) { return p.month; });
    function line(key, colour, dashed) {
      return {
        label: data.series[key], borderColor: colours[colour] || colour, backgroundColor: colours[colour] || colour,
        borderDash: dashed ? [6, 4] : [], tension: 0.2,
        data: data.completion.map(function (p) { return p[key]; })
      };
    }
    return new Chart(canvas, {
      type: "line",
      data: { labels: months, datasets: [line("due", "#5b6570", true), line("on_time", "done_on_time"), line("late", "done_late")] },
      options: {
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }

  var units = document.getElementById("chart-units");
  var completion = document.getElementById("chart-completion");
  if (units) { statusByUnit(units); }
  if (completion) { completionOverTime(completion); }
  document.documentElement.dataset.chartsReady = "yes";
}());
