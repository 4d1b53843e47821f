/* Charts of the indicators page (Chart.js), drawn from the data tables beside them.
 *
 * The page works without this script: each table is the figure. With it, every
 * <figure data-chart data-table="id"> is shown and drawn from its table: the first cell of each
 * row is the label, the columns whose heading carries data-series are the series, and each cell's
 * data-value is the number (empty where a count of one to four people is suppressed, or a count is
 * hidden so that a small one cannot be worked out: not drawn). The tooltip of a month or row names
 * the series it does not draw and why, from the cell's data-shown ("suppressed" or "hidden") and the
 * figure's data-text-suppressed / data-text-hidden, and says that counts of people are rounded.
 * After htmx replaces the indicators (a new filter), the new figures are drawn the same way.
 */
(function () {
  "use strict";

  // Colours with at least 3:1 contrast on white (WCAG 1.4.11), told apart by line style too.
  var COLOURS = ["#1f5e99", "#b4451f", "#2e7d32", "#6a3d9a", "#8a6d00", "#00727a", "#a1307a"];
  var DASHES = [[], [6, 3], [2, 2], [8, 2, 2, 2], [4, 4], [1, 3], [10, 4]];

  function numberOf(cell) {
    var raw = cell ? cell.getAttribute("data-value") : null;
    if (raw === null || raw === "") {
      return null;
    }
    var value = Number(raw);
    return isNaN(value) ? null : value;
  }

  function readTable(table) {
    var headings = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var series = [];
    headings.forEach(function (heading, index) {
      if (heading.hasAttribute("data-series")) {
        series.push({
          index: index,
          label: heading.textContent.trim(),
          rounded: heading.hasAttribute("data-rounded"),
          data: [],
          why: []
        });
      }
    });
    var labels = [];
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      labels.push(row.cells[0].textContent.trim());
      series.forEach(function (one) {
        var cell = row.cells[one.index];
        one.data.push(numberOf(cell));
        one.why.push(cell ? cell.getAttribute("data-shown") || "" : "");
      });
    });
    return { labels: labels, series: series };
  }

  // Lines under the tooltip of row `index`: each series left out there and why (its own words for a
  // count hidden so that a small one cannot be worked out: it is not "fewer than 5"), then the rounding.
  function footerLines(figure, data, index) {
    var texts = {
      suppressed: figure.getAttribute("data-text-suppressed") || "",
      hidden: figure.getAttribute("data-text-hidden") || ""
    };
    var lines = [];
    data.series.forEach(function (one) {
      var why = one.why[index];
      if (texts[why]) {
        lines.push(one.label + ": " + texts[why]);
      }
    });
    if (data.series.some(function (one) { return one.rounded; })) {
      lines.push(figure.getAttribute("data-text-rounded") || "");
    }
    return lines;
  }

  function draw(figure) {
    if (figure.getAttribute("data-drawn") === "1") {
      return;
    }
    var table = document.getElementById(figure.getAttribute("data-table"));
    var canvas = figure.querySelector("canvas");
    if (!table || !canvas || !table.tHead || !table.tBodies.length) {
      return;
    }
    var data = readTable(table);
    var kind = figure.getAttribute("data-chart");
    var line = kind === "line";
    figure.hidden = false;
    new window.Chart(canvas, {
      type: line ? "line" : "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (one, i) {
          var colour = COLOURS[i % COLOURS.length];
          return {
            label: one.label,
            data: one.data,
            borderColor: colour,
            backgroundColor: colour,
            borderDash: line ? DASHES[i % DASHES.length] : [],
            spanGaps: false,
            tension: 0
          };
        })
      },
      options: {
        indexAxis: kind === "hbar" ? "y" : "x",
        animation: false,
        responsive: true,
        maintainAspectRatio: true,
        aspectRatio: kind === "hbar" ? 2.5 : 2,
        scales: { x: { beginAtZero: true }, y: { beginAtZero: true } },
        interaction: { mode: "index", intersect: false, axis: kind === "hbar" ? "y" : "x" },
        plugins: {
          legend: { display: data.series.length > 1 },
          tooltip: {
            callbacks: {
              footer: function (items) {
                return items.length ? footerLines(figure, data, items[0].dataIndex) : [];
              }
            }
          }
        }
      }
    });
    figure.setAttribute("data-drawn", "1");
  }

  function drawAll(root) {
    if (typeof window.Chart !== "function") {
      return;
    }
    Array.prototype.forEach.call((root || document).querySelectorAll("figure[data-chart]"), draw);
  }

  drawAll(document);
  document.body.addEventListener("htmx:afterSettle", function (event) {
    drawAll(event.target);
  });
})();
