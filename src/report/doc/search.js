// The index's search: shows the form (hidden without JavaScript, where the whole list shows)
// and keeps only the paths that contain what is typed, starting from `?q=` in the address.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var input = document.getElementById("search");
  var count = document.getElementById("search-count");
  var items = document.querySelectorAll("#path-list li");
  if (!form || !input || !count) {
    return;
  }
  form.hidden = false;
  function filter() {
    var query = input.value.trim().toLowerCase();
    var shown = 0;
    for (var i = 0; i < items.length; i++) {
      var hit = query === "" || items[i].getAttribute("data-path").toLowerCase().indexOf(query) >= 0;
      items[i].hidden = !hit;
      if (hit) {
        shown++;
      }
    }
    count.setAttribute("data-shown", String(shown));
    count.textContent = query === "" ? items.length + " paths" : shown + " of " + items.length + " paths";
  }
  var asked = new URLSearchParams(window.location.search).get("q");
  if (asked) {
    input.value = asked;
  }
  input.addEventListener("input", filter);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    filter();
  });
  filter();
})();
