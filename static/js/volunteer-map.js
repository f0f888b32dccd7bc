/*
 * The volunteering map (templates/volunteers/map.html): one marker per commune, drawn with
 * the vendored Leaflet (static/vendor/leaflet). An enhancement only: the list of communes
 * after it gives the same figures, and the map stays hidden without JavaScript.
 *
 * The communes come from the page's json_script (#volunteer-map-data): a commune's name,
 * its centre and its counts, never a person. The tile URL and attribution come from the
 * canvas's data attributes (settings MAP_TILE_URL and MAP_TILE_ATTRIBUTION); an empty URL
 * draws the markers on a plain background, as the test settings do.
 *
 * A marker shows two numbers, volunteers then missions and shifts (the summary above the
 * map says so); it is reached with Tab, named by its aria-label, and opened with Enter.
 * Its popup links to the commune's section of the list. Popups are built from text
 * nodes, never from HTML strings: commune names are data.
 */
(function () {
    "use strict";

    var canvas = document.getElementById("volunteer-map");
    var source = document.getElementById("volunteer-map-data");
    if (!canvas || !source || typeof window.L === "undefined") {
        return;
    }
    var L = window.L;
    var points = JSON.parse(source.textContent).filter(function (point) {
        return typeof point.lat === "number" && typeof point.lng === "number";
    });
    if (!points.length) {
        return;
    }

    var section = canvas.closest(".vmap");
    if (section) {
        section.hidden = false;
    }

    // Scrolling the page over the map must scroll the page, not zoom the map. Leaflet's
    // controls speak English: their labels come from the page, translated.
    var labels = canvas.dataset;
    var map = L.map(canvas, { scrollWheelZoom: false, zoomControl: false });
    L.control.zoom({ zoomInTitle: labels.zoomIn, zoomOutTitle: labels.zoomOut }).addTo(map);
    map.on("popupopen", function (event) {
        var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
        if (close) {
            close.setAttribute("aria-label", labels.closePopup);
            close.title = labels.closePopup;
        }
    });
    if (labels.tileUrl) {
        L.tileLayer(labels.tileUrl, { maxZoom: 18, attribution: labels.tileAttribution || "" }).addTo(map);
    }

    function line(parent, tag, text, className) {
        var element = document.createElement(tag);
        element.textContent = text;
        if (className) {
            element.className = className;
        }
        parent.appendChild(element);
        return element;
    }

    // Volunteers on the left, demands on the right; the numbers are repeated in the label.
    function icon(point) {
        var box = document.createElement("span");
        box.className = "vmap-marker__inner";
        line(box, "span", String(point.volunteers), "vmap-marker__offers");
        line(box, "span", String(point.missions + point.shifts), "vmap-marker__demands");
        return L.divIcon({
            html: box,
            iconSize: [64, 32],
            iconAnchor: [32, 16],
            popupAnchor: [0, -14],
            className: "vmap-marker"
        });
    }

    function popup(point) {
        var box = document.createElement("div");
        box.className = "vmap-popup";
        line(box, "p", point.name, "vmap-popup__title");
        var offers = line(box, "p", "");
        line(offers, "a", point.volunteers_text).href = "#" + point.anchor + "-offres";
        var demands = line(box, "p", "");
        line(demands, "a", point.demands_text).href = "#" + point.anchor + "-missions";
        return box;
    }

    // The map has a view before the markers are added: Leaflet draws a marker's element
    // only on a map that is ready, and the label goes on that element.
    map.fitBounds(
        points.map(function (point) {
            return [point.lat, point.lng];
        }),
        { padding: [48, 48], maxZoom: 13 }
    );
    points.forEach(function (point) {
        var marker = L.marker([point.lat, point.lng], {
            icon: icon(point),
            title: point.label,
            keyboard: true,
            riseOnHover: true
        });
        marker.bindPopup(popup(point));
        marker.addTo(map);
        // A marker is a <div role="button">: its name must say which commune and what it counts.
        marker.getElement().setAttribute("aria-label", point.label);
    });
})();
