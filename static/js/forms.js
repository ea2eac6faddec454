/* Progressive enhancement for forms built from definitions (no build step).
   Everything here is optional: without JavaScript the forms work the same,
   with every question shown and "Save draft" instead of autosave.
   - live character counters for limited long answers;
   - conditional questions shown or hidden as the controlling answer changes;
   - autosave: the page is posted in the background a few seconds after typing stops;
   - focus on the error summary, or on a newly added item. */
(function () {
  "use strict";

  var form = document.querySelector("form.definition-form");
  if (!form) { return; }

  // -- character counters ---------------------------------------------------------
  function plural(n, word) { return n.toLocaleString("en-US") + " " + word + (n === 1 ? "" : "s"); }

  form.querySelectorAll("textarea[data-maxlength]").forEach(function (area) {
    var limit = parseInt(area.getAttribute("data-maxlength"), 10);
    var counter = document.getElementById(area.id + "-count");
    if (!counter || !limit) { return; }
    // a separate, throttled live region so screen readers are not interrupted at every key
    var live = document.createElement("p");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    counter.parentNode.insertBefore(live, counter.nextSibling);
    var timer = null;
    function update(announce) {
      var used = area.value.replace(/\r\n/g, "\n").length;
      var left = limit - used;
      var text = left >= 0 ? "You have " + plural(left, "character") + " remaining"
                           : "You have " + plural(-left, "character") + " too many";
      counter.textContent = text;
      counter.classList.toggle("over-limit", left < 0);
      if (announce) {
        clearTimeout(timer);
        timer = setTimeout(function () { live.textContent = text; }, 1000);
      }
    }
    area.addEventListener("input", function () { update(true); });
    update(false);
  });

  // -- conditional questions --------------------------------------------------------
  var conditional = Array.prototype.slice.call(form.querySelectorAll("[data-show-field]"));

  function currentValues(name) {
    var values = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) { return; }
      if (input.value !== "") { values.push(input.value); }
    });
    return values;
  }

  function applyConditions() {
    conditional.forEach(function (wrapper) {
      var values = currentValues(wrapper.getAttribute("data-show-field"));
      var show;
      if (wrapper.hasAttribute("data-show-filled")) {
        show = values.length > 0;
      } else {
        var wanted = JSON.parse(wrapper.getAttribute("data-show-values") || "[]");
        show = values.some(function (v) { return wanted.indexOf(v) !== -1; });
      }
      wrapper.hidden = !show;
      // the sentence explaining the condition is only needed when nothing hides the question
      wrapper.querySelectorAll(".condition-note").forEach(function (n) { n.hidden = true; });
    });
  }
  if (conditional.length) {
    form.addEventListener("change", applyConditions);
    applyConditions();
  }

  // -- autosave ---------------------------------------------------------------------
  var url = form.getAttribute("data-autosave-url");
  var status = document.getElementById("autosave-status");
  var dirty = false, saving = false, timer = null;

  function say(text) { if (status) { status.textContent = text; } }

  function save() {
    if (!dirty || saving || !url || !window.fetch) { return; }
    saving = true; dirty = false;
    var data = new FormData(form);
    // files and "remove this file" wait for an explicit save
    Array.prototype.slice.call(data.keys()).forEach(function (key) {
      if (/__remove$/.test(key) || data.get(key) instanceof File) { data.delete(key); }
    });
    data.delete("_action"); data.delete("_goto");
    fetch(url, { method: "POST", body: data, credentials: "same-origin",
                 headers: { "X-Requested-With": "fetch", "Accept": "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (result) {
        if (result.ok && result.body.saved) {
          var problems = (result.body.errors || []).length;
          say("Draft saved automatically at " + result.body.saved_at +
              (problems ? ". " + plural(problems, "answer") + " could not be saved: press “Save draft” to see why." : "."));
        } else {
          dirty = true;
          say("Not saved automatically: " + (result.body.message || "please press “Save draft”."));
        }
      })
      .catch(function () { dirty = true; say("Not saved automatically (no connection). Press “Save draft” when you are back online."); })
      .then(function () { saving = false; });
  }

  function changed(event) {
    if (event.target.type === "file") { return; }
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, 3000);
  }
  if (url) {
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function () { dirty = false; clearTimeout(timer); });
    document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") { save(); } });
  }

  // -- files too large: say so before sending (the server would refuse the whole post) --
  var maxUpload = parseInt(form.getAttribute("data-max-upload") || "0", 10);
  if (maxUpload) {
    form.addEventListener("submit", function (event) {
      var tooBig = null;
      form.querySelectorAll('input[type="file"]').forEach(function (input) {
        var file = input.files && input.files[0];
        var old = document.getElementById(input.id + "-size-error");
        if (old) { old.parentNode.removeChild(old); }
        if (file && file.size > maxUpload) {
          var message = document.createElement("p");
          message.id = input.id + "-size-error";
          message.className = "error-message";
          message.setAttribute("role", "alert");
          message.textContent = "“" + file.name + "” is larger than " + Math.round(maxUpload / 1048576) +
            " MB. Choose a smaller file.";
          input.parentNode.insertBefore(message, input);
          input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + message.id).trim());
          tooBig = tooBig || input;
        }
      });
      if (tooBig) { event.preventDefault(); tooBig.focus(); }
    });
  }

  // -- running totals (budget lines against the amount requested) ---------------------
  function cents(text) {
    var clean = String(text || "").replace(/[$,\s]/g, "");
    return /^\d+(\.\d{0,2})?$/.test(clean) ? Math.round(parseFloat(clean) * 100) : null;
  }
  function usd(value) {
    return "$" + (value / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  var sums = form.querySelectorAll(".running-sum");
  function updateSums() {
    sums.forEach(function (box) {
      var group = box.getAttribute("data-sum-group"), field = box.getAttribute("data-sum-field");
      var pattern = new RegExp("^" + group + "-\\d+-" + field + "$"), lines = 0, any = false;
      form.querySelectorAll("input").forEach(function (input) {
        var value = pattern.test(input.name) ? cents(input.value) : null;
        if (value !== null) { lines += value; any = true; }
      });
      var totalName = box.getAttribute("data-sum-total"), total = null;
      if (totalName && form.elements[totalName]) { total = cents(form.elements[totalName].value); }
      else if (box.getAttribute("data-sum-total-cents")) { total = parseInt(box.getAttribute("data-sum-total-cents"), 10); }
      box.querySelector(".sum-lines").textContent = usd(lines);
      box.querySelector(".sum-total").textContent = total === null ? "not given yet" : usd(total);
      var gap = total === null || !any ? "" : total > lines ? " (" + usd(total - lines) + " still to assign)"
        : total < lines ? " (" + usd(lines - total) + " too much)" : " (they match)";
      box.querySelector(".sum-gap").textContent = gap;
    });
  }
  if (sums.length) { form.addEventListener("input", updateSums); updateSums(); }

  // -- focus ------------------------------------------------------------------------
  var summary = document.getElementById("error-summary");
  var target = form.getAttribute("data-focus") && document.getElementById(form.getAttribute("data-focus"));
  if (target) { target.focus(); } else if (summary) { summary.focus(); }
})();
