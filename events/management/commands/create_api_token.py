"""manage.py create_api_token USERNAME --label "Téléphone de l'accueil": a token for the check-in API.

The token is printed once (alone on stdout, so a script can capture it) and only its hash is
stored (events/tokens.py): whoever loses it revokes it with `--revoke ID` and creates another.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from events.models import ApiToken
from events.services.checkin import CHECKIN_PERMISSION, can_check_in
from events.tokens import hash_code, new_code


class Command(BaseCommand):
    help = "Crée un jeton d'API pour le pointage (affiché une seule fois), ou en révoque un."

    def add_arguments(self, parser):
        parser.add_argument("username", help="Le compte au nom duquel le jeton agit.")
        parser.add_argument("--label", default="", help="À quoi sert le jeton (appareil, script).")
        parser.add_argument("--revoke", type=int, metavar="ID", help="Révoquer le jeton n° ID de ce compte.")

    def handle(self, *args, username, label, revoke, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Aucun compte « {username} ».")
        if revoke is not None:
            revoked = ApiToken.objects.filter(user=user, pk=revoke, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
            if not revoked:
                raise CommandError(f"Aucun jeton actif n° {revoke} pour « {username} ».")
            self.stdout.write(f"Jeton n° {revoke} révoqué.")
            return
        if not label.strip():
            raise CommandError("Indiquez --label : à quoi sert ce jeton (appareil, script) ?")
        if not can_check_in(user):
            # Not refused: the permission may be granted later. But say it, or the token
            # would seem broken when the API answers 403.
            self.stderr.write(
                f"Attention : « {username} » n'a pas la permission {CHECKIN_PERMISSION} ; "
                "l'API refusera ce jeton tant que le compte n'est pas dans l'équipe de pointage."
            )
        token = new_code()
        api_token = ApiToken.objects.create(user=user, label=label.strip()[:80], token_hash=hash_code(token))
        self.stderr.write(
            f"Jeton n° {api_token.pk} créé pour « {username} » ({api_token.label}). Il ne sera plus affiché :"
        )
        # The token alone on stdout, so a script can capture it.
        self.stdout.write(token)
