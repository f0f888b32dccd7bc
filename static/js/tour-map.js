/*
 * The tour page's map (templates/events/tour_page.html): one marker per stop, drawn with
 * the vendored Leaflet (static/vendor/leaflet). An enhancement only: the itinerary list
 * before it gives the same information, and the map stays hidden without JavaScript.
 *
 * The stops come from the page's json_script (#tour-map-data); the tile URL and
 * attribution from the canvas's data attributes (settings MAP_TILE_URL and
 * MAP_TILE_ATTRIBUTION). Markers are numbered as in the list, reached with Tab and
 * opened with Enter (Leaflet's keyboard option). An empty tile URL draws markers on a plain background: the
 * test settings do so, so that no test fetches tiles from the internet.
 *
 * Popups are built from text nodes, never from HTML strings: titles are organisers' input.
 */
(function () {
    "use strict";

    var canvas = document.getElementById("tour-map");
    var source = document.getElementById("tour-map-data");
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

    var section = canvas.closest(".tour-map");
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
    var tiles = canvas.dataset.tileUrl;
    if (tiles) {
        L.tileLayer(tiles, { maxZoom: 18, attribution: canvas.dataset.tileAttribution || "" }).addTo(map);
    }

    // Numbered markers, the numbers of the itinerary: the map and the list name a stop alike.
    // Stops at the same place (the same market twice in a season) would hide each other:
    // the second and later ones are drawn around the first, a marker's width away, at any zoom.
    function icon(point, rank) {
        var number = document.createElement("span");
        number.textContent = String(point.number);
        var dx = 0;
        var dy = 0;
        if (rank) {
            var angle = -Math.PI / 2 + (rank - 1) * (Math.PI / 3);
            dx = Math.round(32 * Math.cos(angle));
            dy = Math.round(32 * Math.sin(angle));
        }
        return L.divIcon({
            html: number,
            iconSize: [34, 34],
            iconAnchor: [17 - dx, 17 - dy],
            popupAnchor: [0, -16],
            className: "tour-marker tour-marker--" + point.status + (point.is_past ? " tour-marker--past" : "")
        });
    }

    function ranks(points) {
        var seen = {};
        return points.map(function (point) {
            var key = point.lat.toFixed(5) + "," + point.lng.toFixed(5);
            var rank = seen[key] || 0;
            seen[key] = rank + 1;
            return rank;
        });
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

    function popup(point) {
        var box = document.createElement("div");
        box.className = "tour-popup";
        var title = document.createElement("p");
        title.className = "tour-popup__title";
        var link = line(title, "a", point.number + ". " + point.title);
        link.href = point.url;
        box.appendChild(title);
        line(box, "p", point.date, "tour-popup__when");
        line(box, "p", [point.venue, point.commune].filter(Boolean).join(", "), "tour-popup__place");
        var facts = [point.format];
        if (point.status_label) {
            facts.push(point.status_label);
        }
        line(box, "p", facts.join(" · "), "tour-popup__facts" + (point.status_label ? " tour-popup__facts--" + point.status : ""));
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
    var rankAtPlace = ranks(points);
    points.forEach(function (point, index) {
        var marker = L.marker([point.lat, point.lng], {
            icon: icon(point, rankAtPlace[index]),
            title: point.label,
            keyboard: true,
            riseOnHover: true
        });
        marker.bindPopup(popup(point));
        marker.addTo(map);
        // A numbered marker is a <div role="button">: its name must say which stop it is.
        marker.getElement().setAttribute("aria-label", point.label);
    });
})();
