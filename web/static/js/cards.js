// On a phone a table reads as cards (planflow.css): each cell gets its column's name as
// its label, taken from the table's header, where the template did not set one.
document.querySelectorAll("table.grid").forEach(function (table) {
  var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
    return th.textContent.trim();
  });
  table.querySelectorAll("tbody tr").forEach(function (row) {
    Array.prototype.forEach.call(row.children, function (cell, i) {
      if (!cell.hasAttribute("data-label") && heads[i] && !cell.hasAttribute("colspan")) {
        cell.setAttribute("data-label", heads[i]);
      }
    });
  });
});
