/* The resident's report form (repairs/templates/repairs/public/report.html): the category
   list offers only the categories of the chosen kind (repair, complaint, suggestion). Without
   this script every category shows, grouped by kind, and the server refuses a mismatch. */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;
  var select = form.querySelector("select[name=category]");
  var radios = form.querySelectorAll("input[name=kind]");
  if (!select || !radios.length) return;

  function chosenKind() {
    for (var i = 0; i < radios.length; i++) {
      if (radios[i].checked) return radios[i].value;
    }
    return "";
  }

  function follow() {
    var kind = chosenKind();
    var options = select.querySelectorAll("option[data-kind]");
    for (var i = 0; i < options.length; i++) {
      var fits = !kind || options[i].getAttribute("data-kind") === kind;
      options[i].hidden = !fits;
      options[i].disabled = !fits;
      if (!fits && options[i].selected) select.value = "";
    }
    var groups = select.querySelectorAll("optgroup");
    for (var j = 0; j < groups.length; j++) {
      var open = groups[j].querySelector("option:not([disabled])") !== null;
      groups[j].hidden = !open;
      groups[j].disabled = !open;
    }
  }

  for (var k = 0; k < radios.length; k++) radios[k].addEventListener("change", follow);
  follow();
})();
