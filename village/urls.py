from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import views as cms_views
from village.api import api
from volunteers.urls import organisation_urlpatterns

urlpatterns = [
    path("healthz", cms_views.healthz, name="healthz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", api.urls),
    path("acteurs/", include("cms.urls")),
    path("compte/accueil/", cms_views.after_login, name="after_login"),
    path("compte/", include("django.contrib.auth.urls")),
    path("benevolat/", include("volunteers.urls")),
    path("espace-structure/", include((organisation_urlpatterns, "organisations"))),
    path("le-plan-en-chiffres/", include("indicators.urls")),
    path("donnees-ouvertes/", include("opendata.urls")),
    path("", include("events.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
