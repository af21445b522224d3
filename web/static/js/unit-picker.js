/* Unit pickers on the import review: a search box above each list of units, matching
   with or without diacritics ("noi vu" finds "Sở Nội vụ"), and a click that picks or
   unpicks one unit without holding Ctrl. Chosen units always stay in view. Without
   JavaScript the lists work as plain multiple selects. */
(function () {
  "use strict";

  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d");
  }

  function filterBox(select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "unit-filter";
    box.id = select.id + "-filter";
    box.placeholder = select.dataset.filter;
    box.setAttribute("aria-label", select.dataset.filter);
    box.setAttribute("aria-controls", select.id);
    box.addEventListener("input", function () {
      var wanted = fold(box.value.trim());
      Array.prototype.forEach.call(select.options, function (option) {
        option.hidden = !(option.selected || wanted === "" || fold(option.text).indexOf(wanted) !== -1);
      });
    });
    return box;
  }

  function clickToToggle(select) {
    select.addEventListener("mousedown", function (event) {
      var option = event.target;
      if (option.tagName !== "OPTION" || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
      event.preventDefault();
      option.selected = !option.selected;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      select.focus();
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("select.unit-select[data-filter]"), function (select) {
    select.parentNode.insertBefore(filterBox(select), select);
    clickToToggle(select);
  });
})();
