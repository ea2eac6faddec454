// The reviewer's page: keeps "n of N criteria scored" and the weighted total
// up to date as scores are chosen (the page shows the saved figures without
// JavaScript). The weights and scales come from the rubric, in data- attributes.
(function () {
  "use strict";
  var summary = document.getElementById("review-progress");
  if (!summary) { return; }
  var list = function (name) { return summary.getAttribute("data-" + name).split(","); };
  var ids = list("criteria");
  var weights = list("weights").map(Number), lowest = list("lowest").map(Number), highest = list("highest").map(Number);
  var total = weights.reduce(function (a, b) { return a + b; }, 0);
  var count = summary.querySelector(".progress-count"), points = summary.querySelector(".progress-total");

  function update() {
    var scored = 0, sum = 0;
    ids.forEach(function (id, i) {
      var chosen = document.querySelector("input[name='score_" + id + "']:checked");
      if (!chosen) { return; }
      scored += 1;
      sum += weights[i] * (Number(chosen.value) - lowest[i]) / (highest[i] - lowest[i]);
    });
    count.textContent = scored + " of " + ids.length + " criteria scored";
    points.textContent = (Math.round(sum * 1000 / total) / 10).toFixed(1);
  }

  document.addEventListener("change", function (event) {
    if (event.target.name && event.target.name.indexOf("score_") === 0) { update(); }
  });
}());
