/* Staff pages of repairs (no inline scripts: the CSP allows only files like this one).
   (快捷用语 buttons carry data-insert and data-target, the field they belong to; the shared
   estate/static/estate/app.js inserts them at that field's cursor.)
   The front desk's search: arrow keys move through the results, Enter picks, and after a
      pick the focus goes to the next field still empty. */
(function () {
  "use strict";

  function results() {
    return Array.prototype.slice.call(document.querySelectorAll("#search-results button"));
  }

  document.addEventListener("keydown", function (e) {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") { return; }
    var list = results();
    if (!list.length) { return; }
    var here = list.indexOf(document.activeElement);
    var inSearch = document.activeElement && document.activeElement.id === "desk-q";
    if (here < 0 && !inSearch) { return; }
    e.preventDefault();
    var next;
    if (here < 0) { next = e.key === "ArrowDown" ? 0 : list.length - 1; }
    else { next = here + (e.key === "ArrowDown" ? 1 : -1); }
    if (next < 0) { document.getElementById("desk-q").focus(); return; }
    list[Math.min(next, list.length - 1)].focus();
  });

  document.addEventListener("keydown", function (e) {
    /* Enter in the search box picks the first result instead of submitting the form. */
    if (e.key !== "Enter" || !document.activeElement || document.activeElement.id !== "desk-q") { return; }
    var list = results();
    if (list.length) { e.preventDefault(); list[0].click(); }
  });

  document.addEventListener("htmx:afterSwap", function (e) {
    if (!e.detail || !e.detail.target || e.detail.target.id !== "who") { return; }
    var order = ["id_reporter_name", "id_reporter_phone", "id_category", "id_description"];
    var picked = document.querySelector("#who [name=resident]");
    for (var i = 0; i < order.length; i++) {
      var field = document.getElementById(order[i]);
      if (!field) { continue; }
      if (order[i] === "id_reporter_phone" && picked && picked.value) { continue; }
      if (!field.value) { field.focus(); return; }
    }
  });
})();
