"""The Wagtail site of the demo: home page, agenda, editorial pages and the site contact."""

import datetime as dt
import os

from django.utils import formats
from wagtail.models import Page, Site

from cms.models import HomePage, LegalPages, SiteContact, StandardPage
from events.models import AgendaPage

SITE_NAME = "Le Village de l'ESS"
# example.org is reserved for documentation (RFC 2606): nobody receives mail there.
TEAM_EMAIL = "ess@example.org"
DPO_EMAIL = "dpo@example.org"

HOME_INTRO = """\
<p>Le Village de l'ESS est un village itinérant de stands de l'économie sociale et solidaire : \
associations, coopératives, mutuelles, fondations et entreprises solidaires du Valenciennois viennent \
à votre rencontre sur les marchés, les places et les fêtes des 35 communes de Valenciennes Métropole. \
On y découvre des structures qui nourrissent, réparent, logent, transportent ou financent autrement, \
et les façons de s'y engager.</p>
<p>Autour du village, l'équipe ESS de Valenciennes Métropole et ses partenaires proposent :</p>
<ul>
<li><b>des petits-déjeuners thématiques</b>, une heure et demie pour rencontrer des acteurs autour d'un thème ;</li>
<li><b>des temps de sensibilisation des élus</b> dans les mairies, pour faire de l'ESS un levier de développement local ;</li>
<li><b>des interventions auprès des jeunes</b> dans les collèges, les lycées et les Missions Locales, \
pour faire connaître ces métiers et ce mode d'entreprendre.</li>
</ul>
<p>Ces actions mettent en œuvre le Plan Local de Développement de l'ESS 2021-2026 de Valenciennes Métropole. \
<i>Les structures, les lieux et les événements présentés sur ce site de démonstration sont des exemples.</i></p>"""

AGENDA_INTRO = """\
<p>Tous les rendez-vous du Village de l'ESS : étapes du village sur les marchés, petits-déjeuners \
thématiques, rencontres avec les élus et interventions auprès des jeunes. Filtrez par type, \
par commune ou par mois.</p>"""

VOLUNTEERING_BODY = f"""\
<h2>Ce que font les bénévoles</h2>
<ul>
<li>accueillir et orienter les visiteurs sur les étapes du village ;</li>
<li>aider au montage et au démontage des stands, tôt le matin ou en fin de marché ;</li>
<li>animer un jeu ou un quiz sur l'ESS avec les enfants et les familles ;</li>
<li>compter les visiteurs et recueillir leurs impressions ;</li>
<li>prêter main-forte, toute l'année, aux structures de l'ESS qui cherchent des bénévoles.</li>
</ul>
<h2>Comment proposer votre aide</h2>
<p>Une demi-journée suffit, sans compétence particulière : chaque créneau commence par un temps \
d'accueil et vous n'êtes jamais seul ou seule sur un stand. Dites-nous vos disponibilités (jours, \
matin ou après-midi), les communes où vous pouvez vous rendre et ce que vous aimez faire.</p>
<p>La mise en relation en ligne avec les missions et les créneaux ouvrira prochainement. D'ici là, \
écrivez à l'équipe ESS de Valenciennes Métropole : <a href="mailto:{TEAM_EMAIL}">{TEAM_EMAIL}</a>. \
Nous vous proposerons une mission près de chez vous.</p>
<h2>Vos données</h2>
<p>Vos coordonnées servent uniquement à organiser votre engagement : voir la page \
<a href="/donnees-personnelles/">Données personnelles</a>.</p>"""

LEGAL_BODY = f"""\
<h2>Éditeur</h2>
<p>Valenciennes Métropole, communauté d'agglomération (SIREN 245 901 160), service Économie sociale \
et solidaire. Contact : <a href="mailto:{TEAM_EMAIL}">{TEAM_EMAIL}</a>.</p>
<p>Directeur de la publication : le président de Valenciennes Métropole.</p>
<h2>Hébergement</h2>
<p>À compléter avant la mise en ligne : nom, adresse et téléphone de l'hébergeur.</p>
<h2>Contenus</h2>
<p>Les structures, les lieux et les événements présentés sur ce site de démonstration sont des \
exemples : ils ne décrivent pas des organisations ou des rendez-vous réels. Les marchés indiqués \
en particulier sont fictifs, faute de données ouvertes sur les marchés du Valenciennois.</p>
<h2>Données de référence</h2>
<p>Liste, population et coordonnées des communes : Direction générale des collectivités locales, \
INSEE (code officiel géographique, populations municipales) et La Poste (base officielle des codes \
postaux), publiées sous Licence Ouverte (Etalab).</p>
<p>Fonds de carte : © les contributeurs d'OpenStreetMap.</p>
<h2>Réalisation</h2>
<p>Site construit avec les logiciels libres Django et Wagtail.</p>"""

PRIVACY_BODY = f"""\
<h2>Responsable du traitement</h2>
<p>Valenciennes Métropole, service Économie sociale et solidaire. Contact : \
<a href="mailto:{TEAM_EMAIL}">{TEAM_EMAIL}</a>. Délégué à la protection des données : \
<a href="mailto:{DPO_EMAIL}">{DPO_EMAIL}</a>.</p>
<p>Ces traitements sont nécessaires à l'exécution d'une mission d'intérêt public de Valenciennes \
Métropole, la mise en œuvre de son plan local de développement de l'ESS (article 6, paragraphe 1, e \
du RGPD), sauf mention contraire ci-dessous. Aucune donnée n'est vendue, utilisée à des fins \
commerciales ni transférée hors de l'Union européenne.</p>
<h2>Registre des traitements</h2>
<p>Chaque traitement de ce site, tel qu'il est inscrit au registre de Valenciennes Métropole \
(article 30 du RGPD).</p>
<h3>1. Inscriptions aux événements</h3>
<ul>
<li><b>Finalité</b> : gérer les places des petits-déjeuners, des rencontres d'élus et des interventions \
auprès des jeunes, envoyer billets, rappels et changements, pointer les présences, établir les \
statistiques de participation du plan.</li>
<li><b>Personnes concernées</b> : les participants, les élus, les enseignants et encadrants qui \
inscrivent un groupe.</li>
<li><b>Données</b> : nom et prénom, courriel, téléphone (facultatif), commune de résidence, catégorie \
de participant, mandat et commune du mandat pour les élus, établissement, niveau et effectif pour un \
groupe, présence le jour venu.</li>
<li><b>Destinataires</b> : l'équipe ESS et, pour l'accueil, les partenaires co-organisateurs de \
l'événement.</li>
<li><b>Durée de conservation</b> : les données nominatives sont anonymisées le 1er janvier de la \
deuxième année qui suit l'événement (entre un et deux ans après lui) ; seuls des chiffres anonymes \
restent pour le suivi du plan.</li>
</ul>
<h3>2. Bénévolat</h3>
<ul>
<li><b>Finalité</b> : proposer aux bénévoles des missions et des créneaux qui leur correspondent, \
organiser leur présence, compter les heures données.</li>
<li><b>Base légale</b> : votre consentement, donné à l'inscription et retirable à tout moment \
(suppression du compte depuis « Mes missions »).</li>
<li><b>Personnes concernées</b> : les bénévoles.</li>
<li><b>Données</b> : nom, courriel, téléphone (facultatif), commune, distance acceptée, compétences, \
centres d'intérêt, disponibilités, absences, missions et créneaux, présences et heures.</li>
<li><b>Destinataires</b> : l'équipe ESS et, pour une mission acceptée, la structure qui l'a proposée.</li>
<li><b>Durée de conservation</b> : jusqu'à la suppression du compte ; un compte inactif depuis deux ans \
reçoit un avertissement puis est anonymisé trente jours plus tard. Les heures et les mises en relation \
restent, anonymes.</li>
</ul>
<h3>3. Demandes d'accueil du village par les communes</h3>
<ul>
<li><b>Finalité</b> : instruire la demande d'une commune, convenir d'une date, lui envoyer rappels et bilan.</li>
<li><b>Personnes concernées</b> : l'interlocuteur ou l'interlocutrice en mairie.</li>
<li><b>Données</b> : nom, fonction, courriel, téléphone, échanges sur la demande.</li>
<li><b>Destinataires</b> : l'équipe ESS.</li>
<li><b>Durée de conservation</b> : trois ans après la fin de l'échange, puis les coordonnées sont effacées ; \
la demande reste, anonyme, dans les statistiques.</li>
</ul>
<h3>4. Stands des structures de l'ESS</h3>
<ul>
<li><b>Finalité</b> : organiser les stands des étapes du village et prévenir d'un changement.</li>
<li><b>Personnes concernées</b> : les contacts des structures et les personnes présentes sur les stands.</li>
<li><b>Données</b> : compte du contact (nom, courriel), nom, courriel et téléphone de la personne \
présente sur le stand.</li>
<li><b>Destinataires</b> : l'équipe ESS.</li>
<li><b>Durée de conservation</b> : les coordonnées de la personne présente sur le stand sont effacées un an \
après l'étape ; le compte du contact, jusqu'à ce que la structure en demande le retrait.</li>
</ul>
<h3>5. Annuaire des structures</h3>
<ul>
<li><b>Finalité</b> : faire connaître les structures de l'ESS du territoire.</li>
<li><b>Données</b> : coordonnées professionnelles publiées avec l'accord des structures.</li>
<li><b>Destinataires</b> : le public ; les données publiées sont aussi en données ouvertes.</li>
<li><b>Durée de conservation</b> : tant que la structure souhaite y figurer.</li>
</ul>
<h3>6. Comptage des visiteurs des stands</h3>
<ul>
<li><b>Finalité</b> : compter les visiteurs d'une étape du village qui scannent l'affiche.</li>
<li><b>Données</b> : un identifiant aléatoire propre à l'événement, enregistré haché ; les réponses \
facultatives (commune, tranche d'âge, qualité : habitant, élu, enseignant, acteur de l'ESS). Aucune adresse IP n'est conservée.</li>
<li><b>Durée de conservation</b> : ces données ne permettent pas d'identifier une personne ; elles restent \
dans les statistiques.</li>
</ul>
<h3>7. Comptes des organisateurs</h3>
<ul>
<li><b>Finalité</b> : accès à l'administration et sécurité du site.</li>
<li><b>Données</b> : identifiant, nom, courriel, journal des actions.</li>
<li><b>Durée de conservation</b> : la durée des fonctions ; journaux techniques : un an.</li>
</ul>
<h2>Vos droits</h2>
<p>Vous pouvez accéder à vos données, les faire rectifier ou effacer, demander la limitation du \
traitement ou vous y opposer, dans les conditions prévues par le RGPD. Les bénévoles téléchargent leurs \
données et suppriment leur compte eux-mêmes depuis « Mes missions ». Pour le reste, écrivez à \
<a href="mailto:{TEAM_EMAIL}">{TEAM_EMAIL}</a> ou au délégué à la protection des données : une \
réponse vous sera apportée dans un délai d'un mois. Si, après nous avoir contactés, vous estimez \
que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à la CNIL \
(<a href="https://www.cnil.fr">www.cnil.fr</a>).</p>
<h2>Cookies</h2>
<p>Le site n'utilise que des cookies techniques (session de connexion et protection des formulaires) \
et aucun cookie de mesure d'audience ni de publicité. Sur les stands du village, la page « Bienvenue » \
que l'on ouvre en scannant l'affiche dépose un cookie aléatoire, propre à l'événement, qui sert \
seulement à compter chaque téléphone une fois ; il ne permet pas de vous identifier et expire à la \
fin de la journée. Les cartes affichent des fonds OpenStreetMap : \
leur affichage transmet votre adresse IP au serveur de tuiles cartographiques. Les liens « Ajouter à \
mon agenda » vers Google, Outlook ou Yahoo ne transmettent rien tant que vous ne les suivez pas.</p>"""


def accessibility_body(today: dt.date) -> str:
    established = formats.date_format(today, "j F Y")
    return f"""\
<p>Valenciennes Métropole s'engage à rendre ses sites internet accessibles conformément à \
l'article 47 de la loi n° 2005-102 du 11 février 2005. Cette déclaration d'accessibilité \
s'applique au site Le Village de l'ESS.</p>
<h2>État de conformité</h2>
<p>Le site Le Village de l'ESS est <b>non conforme</b> au référentiel général d'amélioration de \
l'accessibilité (RGAA), version 4.1 : il n'a pas encore fait l'objet d'un audit, et sans audit en \
cours de validité la réglementation impose cette mention. Le site est conçu pour respecter le \
RGAA ; un audit est prévu pour mesurer son taux de conformité, et cette déclaration sera mise à \
jour avec ses résultats.</p>
<h2>Contenus non accessibles</h2>
<p>Dans l'attente de l'audit, certains documents téléchargeables (PDF) peuvent ne pas être \
entièrement accessibles : sur simple demande, nous vous les transmettons sous une autre forme.</p>
<h2>Établissement de cette déclaration</h2>
<p>Cette déclaration a été établie le {established}.</p>
<h2>Retour d'information et contact</h2>
<p>Si vous n'arrivez pas à accéder à un contenu ou à un service, écrivez à l'équipe ESS à \
<a href="mailto:{TEAM_EMAIL}">{TEAM_EMAIL}</a> pour être orienté vers une alternative accessible \
ou obtenir le contenu sous une autre forme.</p>
<h2>Voies de recours</h2>
<p>Si vous avez signalé un défaut d'accessibilité qui vous empêche d'accéder à un contenu ou à un \
service et que vous n'avez pas obtenu de réponse satisfaisante, vous pouvez :</p>
<ul>
<li>écrire un message au Défenseur des droits \
(<a href="https://formulaire.defenseurdesdroits.fr/">formulaire en ligne</a>) ;</li>
<li>contacter le délégué du Défenseur des droits dans votre région ;</li>
<li>envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) : Défenseur des droits, \
Libre réponse 71120, 75342 Paris CEDEX 07.</li>
</ul>"""


# The footer's legal links (cms.models.LegalPages) and the demo pages they point to.
LEGAL_SLUGS = {"legal_notice": "mentions-legales", "privacy": "donnees-personnelles", "accessibility": "accessibilite"}

# Editorial pages of earlier demos whose address a Django view now answers: /accueillir-le-village/
# is the communes' request form (events/views/visits.py). The URL patterns come before
# Wagtail's, so such a page could never be reached; it would only linger in the menus.
RETIRED_PAGES = ["accueillir-le-village"]


def standard_pages(today: dt.date) -> list[dict]:
    """The editorial pages under the home page, in menu order. The slugs are public URLs."""
    return [
        {
            "slug": "benevolat",
            "title": "Bénévolat",
            "intro": "Donner un peu de temps au village : accueillir les visiteurs, tenir un stand, "
            "monter les barnums, animer un jeu.",
            "body": VOLUNTEERING_BODY,
            "show_in_menus": True,
        },
        {
            "slug": "mentions-legales",
            "title": "Mentions légales",
            "intro": "Qui édite ce site, et d'où viennent ses données.",
            "body": LEGAL_BODY,
        },
        {
            "slug": "donnees-personnelles",
            "title": "Données personnelles",
            "intro": "Quelles données le Village de l'ESS recueille, pourquoi, combien de temps, "
            "et comment exercer vos droits.",
            "body": PRIVACY_BODY,
        },
        {
            "slug": "accessibilite",
            "title": "Accessibilité",
            "intro": "Déclaration d'accessibilité du site Le Village de l'ESS.",
            "body": accessibility_body(today),
        },
    ]


def publish_child(parent: Page, page: Page) -> Page:
    """Add a live page with a published revision, as if an editor had published it."""
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def load_site(report, today: dt.date) -> AgendaPage:
    """Make the demo home page the root of the default site; add the agenda and editorial pages."""
    home = HomePage.objects.first()
    report.tally("pages", home is None)
    if home is None:
        home = publish_child(
            Page.get_first_root_node(),
            HomePage(
                title=SITE_NAME,
                slug="accueil",
                tagline="L'économie sociale et solidaire s'installe près de chez vous, de marché en marché.",
                intro=HOME_INTRO,
            ),
        )
    site = _make_site_root(home)
    _serve_on_demo_port(site)

    agenda = AgendaPage.objects.child_of(home).first()
    report.tally("pages", agenda is None)
    if agenda is None:
        agenda = publish_child(home, AgendaPage(title="Agenda", slug="agenda", intro=AGENDA_INTRO, show_in_menus=True))

    existing = set(home.get_children().values_list("slug", flat=True))
    for fields in standard_pages(today):
        report.tally("pages", fields["slug"] not in existing)
        if fields["slug"] not in existing:
            publish_child(home, StandardPage(**fields))
    for page in StandardPage.objects.child_of(home).filter(slug__in=RETIRED_PAGES):
        page.delete()
        report.removed("pages")

    _link_legal_pages(site, home)

    contact = SiteContact.for_site(site)
    if not contact.email:
        contact.organisation_name = "Valenciennes Métropole"
        contact.team_name = "Service ESS"
        contact.email = TEAM_EMAIL
        contact.save()
    return agenda


def _link_legal_pages(site: Site, home: HomePage) -> None:
    """The footer's legal links point to the demo's pages, unless an organiser chose others."""
    legal = LegalPages.for_site(site)
    pages = {page.slug: page for page in StandardPage.objects.child_of(home).filter(slug__in=LEGAL_SLUGS.values())}
    changed = False
    for field, slug in LEGAL_SLUGS.items():
        if getattr(legal, f"{field}_id") is None and slug in pages:
            setattr(legal, field, pages[slug])
            changed = True
    if changed or legal.pk is None:
        legal.save()


def demo_port() -> int | None:
    """The port `make run` serves the demo on (DEMO_PORT, from the Makefile's PORT), if given.

    With two territories' sites, Wagtail writes links to another site's pages as absolute
    addresses built from each Site's hostname and port: they must name the port the
    development server listens on, or the links between the demo's sites lead nowhere.
    """
    value = os.environ.get("DEMO_PORT", "")
    return int(value) if value.isdigit() else None


def _serve_on_demo_port(site: Site) -> None:
    port = demo_port()
    if port is not None and site.port != port:
        Site.objects.filter(pk=site.pk).update(port=port)
        site.port = port


def _make_site_root(home: HomePage) -> Site:
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name=SITE_NAME
        )
    if site.root_page_id == home.pk:
        return site
    previous_root = site.root_page
    site.root_page = home
    site.site_name = site.site_name or SITE_NAME
    site.save()
    # Wagtail's "Welcome to your new Wagtail site!" is a bare Page: remove it, but never a
    # page that carries content or is still the root of another site.
    if (
        previous_root.specific_class is Page
        and previous_root.numchild == 0
        and not Site.objects.filter(root_page=previous_root).exists()
    ):
        previous_root.delete()
    return site
