/*
 * In a village stop's editor (Wagtail admin): when the chosen venue is a recurring market,
 * offer its next dates in a list under the venue field; choosing one fills the start and
 * end inputs. The dates come from /admin/village/venue/<id>/occurrences/
 * (events/admin_village.py, venue_occurrences), already in the inputs' format.
 *
 * Loaded on every page editor by the insert_editor_js hook; does nothing outside a stop's
 * form. Without JavaScript the organiser types the dates. The French words come from the
 * script tag's data attributes, translated on the server.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script) {
    return;
  }
  var text = script.dataset;

  function occurrencesUrl(venueId) {
    return text.occurrencesUrl.replace("/0/", "/" + encodeURIComponent(venueId) + "/");
  }

  function setValue(input, value) {
    input.value = value;
    // Wagtail's unsaved-changes warning and the date picker listen to these.
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function build(venueField) {
    var wrapper = document.createElement("div");
    wrapper.className = "w-field__wrapper";
    wrapper.hidden = true;

    var label = document.createElement("label");
    label.className = "w-field__label";
    label.htmlFor = "stop-occurrence";
    label.textContent = text.label;

    var help = document.createElement("div");
    help.className = "w-field__help";
    help.id = "stop-occurrence-help";
    help.innerHTML = '<div class="help"></div>';
    help.firstChild.textContent = text.help;

    var select = document.createElement("select");
    select.id = "stop-occurrence";
    select.setAttribute("aria-describedby", "stop-occurrence-help");
    select.style.maxWidth = "100%"; // as wide as its longest date otherwise, wider than a phone

    var input = document.createElement("div");
    input.className = "w-field__input";
    input.appendChild(select);

    var field = document.createElement("div");
    field.className = "w-field w-field--choice_field w-field--select";
    field.appendChild(help);
    field.appendChild(input);

    var status = document.createElement("p");
    status.className = "w-sr-only";
    status.setAttribute("aria-live", "polite");

    wrapper.appendChild(label);
    wrapper.appendChild(field);
    wrapper.appendChild(status);
    var anchor = venueField.closest("[data-field-wrapper]") || venueField.parentElement;
    anchor.insertAdjacentElement("afterend", wrapper);
    return { wrapper: wrapper, select: select, status: status };
  }

  function init() {
    var form = document.getElementById("page-edit-form");
    if (!form || !form.querySelector('[name="village_format"]')) {
      return; // not a village stop
    }
    var venue = form.querySelector('[name="venue"]');
    var start = form.querySelector('[name="start"]');
    var end = form.querySelector('[name="end"]');
    if (!venue || !start || !end) {
      return;
    }
    var ui = build(venue);
    var occurrences = [];
    var asked = 0;

    function show(venueId) {
      var ask = ++asked;
      ui.wrapper.hidden = true;
      if (!venueId) {
        return;
      }
      fetch(occurrencesUrl(venueId), {
        credentials: "same-origin",
        // Wagtail answers a refusal with 403 rather than a redirect to the dashboard for these.
        headers: { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" },
      })
        .then(function (response) {
          return response.ok ? response.json() : { occurrences: [] };
        })
        .then(function (data) {
          if (ask !== asked) {
            return; // the venue changed again meanwhile
          }
          occurrences = data.occurrences || [];
          ui.select.innerHTML = "";
          var first = document.createElement("option");
          first.value = "";
          first.textContent = text.empty;
          ui.select.appendChild(first);
          occurrences.forEach(function (occurrence, index) {
            var option = document.createElement("option");
            option.value = String(index);
            option.textContent = occurrence.label;
            ui.select.appendChild(option);
          });
          ui.wrapper.hidden = occurrences.length === 0;
        })
        .catch(function () {
          ui.wrapper.hidden = true; // the organiser types the dates, as without JavaScript
        });
    }

    ui.select.addEventListener("change", function () {
      var occurrence = occurrences[Number(ui.select.value)];
      if (!ui.select.value || !occurrence) {
        return;
      }
      setValue(start, occurrence.start_input);
      setValue(end, occurrence.end_input);
      ui.status.textContent = text.filled.replace("%(label)s", occurrence.label);
    });
    // A select, or a chooser's hidden input: Wagtail's chooser fires "change" when a venue is chosen.
    venue.addEventListener("change", function () {
      show(venue.value);
    });
    show(venue.value);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
