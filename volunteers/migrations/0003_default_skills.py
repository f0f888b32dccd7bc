"""The first skills volunteers may offer; organisers then maintain the list in the admin."""

from django.db import migrations

DEFAULT_SKILLS = [
    ("accueil", "Accueil"),
    ("animation", "Animation"),
    ("montage-logistique", "Montage / logistique"),
    ("communication", "Communication"),
    ("photo-video", "Photo / vidéo"),
    ("graphisme", "Graphisme"),
    ("comptabilite", "Comptabilité"),
    ("informatique", "Informatique"),
    ("langues-etrangeres", "Langues étrangères"),
]


def add_skills(apps, schema_editor):
    # Historical models lack Skill.save(), which picks the next free bit: give it here.
    Skill = apps.get_model("volunteers", "Skill")
    taken = set(Skill.objects.values_list("bit", flat=True))
    free_bits = (bit for bit in range(63) if bit not in taken)
    for position, (slug, name) in enumerate(DEFAULT_SKILLS):
        if not Skill.objects.filter(slug=slug).exists():
            Skill.objects.create(slug=slug, name=name, position=position, bit=next(free_bits))


def remove_skills(apps, schema_editor):
    apps.get_model("volunteers", "Skill").objects.filter(slug__in=[slug for slug, _ in DEFAULT_SKILLS]).delete()


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0002_volunteer_profiles_and_consents")]

    operations = [migrations.RunPython(add_skills, remove_skills)]
