"use strict";
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-sort]");
  if (!button) { return; }
  var table = button.closest("table");
  var column = Number(button.getAttribute("data-sort"));
  var numeric = button.hasAttribute("data-numeric");
  var descending = button.getAttribute("aria-sort") === "ascending";
  table.querySelectorAll("button[data-sort]").forEach(function (b) { b.removeAttribute("aria-sort"); });
  button.setAttribute("aria-sort", descending ? "descending" : "ascending");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  function key(row) {
    var cell = row.cells[column];
    var text = cell.getAttribute("data-key") || cell.textContent.trim();
    return numeric ? Number(text) : text.toLowerCase();
  }
  rows.sort(function (a, b) {
    var x = key(a), y = key(b);
    var order = x < y ? -1 : (x > y ? 1 : 0);
    return descending ? -order : order;
  });
  rows.forEach(function (row) { body.appendChild(row); });
});
