// Type-ahead for the search box: fills the box's <datalist> from the suggest API. Everything works without it.
(function () {
  "use strict";
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    var asked = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 2 || q === asked) return;
        asked = q;
        fetch(input.dataset.suggest + "?limit=8&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) {
            list.replaceChildren();
            items.forEach(function (item) {
              var option = document.createElement("option");
              option.value = item.text;
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 150);
    });
  });
})();
