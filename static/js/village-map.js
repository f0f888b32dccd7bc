/*
 * What the site's public maps share (the tour, the volunteering map, the agenda): a map drawn
 * with the vendored Leaflet (static/vendor/leaflet) over a list that already says it all.
 *
 *   VillageMap.create(canvas, points, { reveal, icon, popup, maxZoom })
 *
 * draws `points` (objects with numeric lat and lng and a `label`) on `canvas`, once `reveal`
 * (the section hidden until now) is shown. The canvas's data attributes give the tile URL and
 * attribution (settings MAP_TILE_URL and MAP_TILE_ATTRIBUTION; an empty URL draws the markers
 * on a plain background, as the test settings do) and the controls' French labels. Each
 * marker is a <div role="button"> reached with Tab, named by its point's label and opened with
 * Enter. `icon(point, index)` returns its L.divIcon; `popup(point)` an element, built from text
 * nodes (VillageMap.text), never from HTML strings: titles and names are people's input.
 * Returns { map, markers }, or null when there is nothing to draw.
 */
(function () {
    "use strict";

    function text(parent, tag, value, className) {
        var element = document.createElement(tag);
        element.textContent = value;
        if (className) {
            element.className = className;
        }
        parent.appendChild(element);
        return element;
    }

    function readPoints(sourceId) {
        var source = document.getElementById(sourceId);
        if (!source) {
            return [];
        }
        return JSON.parse(source.textContent).filter(function (point) {
            return typeof point.lat === "number" && typeof point.lng === "number";
        });
    }

    function create(canvas, points, options) {
        var L = window.L;
        if (!canvas || typeof L === "undefined" || !points.length) {
            return null;
        }
        options = options || {};
        // Leaflet measures its container: it must be shown before the map is made.
        if (options.reveal) {
            options.reveal.hidden = false;
        }

        // Scrolling the page over the map must scroll the page, not zoom the map. Leaflet's
        // controls speak English: their labels come from the page, translated.
        var labels = canvas.dataset;
        var map = L.map(canvas, { scrollWheelZoom: false, zoomControl: false });
        L.control.zoom({ zoomInTitle: labels.zoomIn, zoomOutTitle: labels.zoomOut }).addTo(map);
        map.on("popupopen", function (event) {
            var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
            if (close && labels.closePopup) {
                close.setAttribute("aria-label", labels.closePopup);
                close.title = labels.closePopup;
            }
        });
        if (labels.tileUrl) {
            L.tileLayer(labels.tileUrl, { maxZoom: 18, attribution: labels.tileAttribution || "" }).addTo(map);
        }

        // The map has a view before the markers are added: Leaflet draws a marker's element
        // only on a map that is ready, and the label goes on that element.
        map.fitBounds(
            points.map(function (point) {
                return [point.lat, point.lng];
            }),
            { padding: [48, 48], maxZoom: options.maxZoom || 13 }
        );
        // On a phone a popup is nearly as wide as the map: keep it narrower than the map and
        // clear of the zoom buttons (top left), which Leaflet draws above popups.
        var popupOptions = {
            maxWidth: Math.max(160, Math.min(300, canvas.clientWidth - 140)),
            autoPanPaddingTopLeft: L.point(60, 12),
            autoPanPaddingBottomRight: L.point(12, 12)
        };
        var markers = points.map(function (point, index) {
            var marker = L.marker([point.lat, point.lng], {
                icon: options.icon(point, index),
                title: point.label,
                keyboard: true,
                riseOnHover: true
            });
            if (options.popup) {
                marker.bindPopup(options.popup(point), popupOptions);
            }
            marker.addTo(map);
            // A marker is a <div role="button">: its name must say what it stands for.
            marker.getElement().setAttribute("aria-label", point.label);
            return marker;
        });
        return { map: map, markers: markers };
    }

    window.VillageMap = { create: create, readPoints: readPoints, text: text };
})();
