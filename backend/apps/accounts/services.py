"""Services des comptes : création d'utilisateur (limite de 5), préférences, mot de passe."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.accounts.models import User
from apps.accounts.selectors import NO_TRADING, trading_summary
from apps.accounts.telegram import telegram_ready_check
from apps.core.exceptions import AristobotError, LimitReachedError
from apps.core.unset import UNSET, Unset, provided

_USER_LIMIT_LOCK = 7_301_001  # verrou consultatif PostgreSQL sérialisant les créations
#: Nom du déclencheur qui tient la limite dans la base (migration accounts 0003).
USER_CAP_CONSTRAINT = "users_max_5"


def user_cap_violated(exc: BaseException) -> bool:
    """Vrai si `exc` vient du déclencheur de la limite d'utilisateurs."""
    diag = getattr(getattr(exc, "__cause__", None), "diag", None)
    return getattr(diag, "constraint_name", None) == USER_CAP_CONSTRAINT


def _lock_user_creation() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_USER_LIMIT_LOCK])


@transaction.atomic
def user_create(*, username: str, password: str, is_staff: bool = False) -> User:
    """Crée un utilisateur en respectant la limite de l'application (5 utilisateurs)."""
    _lock_user_creation()
    limit = settings.ARISTOBOT_MAX_USERS
    if User.objects.count() >= limit:
        raise LimitReachedError(
            f"Limite atteinte : Aristobot accepte au maximum {limit} utilisateurs."
        )
    if User.objects.filter(username__iexact=username).exists():
        raise AristobotError(f"L'utilisateur « {username} » existe déjà.", status_code=409)
    user = User(username=username, is_staff=is_staff)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        if user_cap_violated(exc):
            raise LimitReachedError(
                f"Limite atteinte : Aristobot accepte au maximum {limit} utilisateurs."
            ) from None
        raise
    return user


@transaction.atomic
def user_preferences_update(
    *,
    user: User,
    theme: str | Unset = UNSET,
    display_timezone: str | Unset = UNSET,
    ai_provider: str | Unset = UNSET,
    ai_api_key: str | Unset = UNSET,
    openrouter_model: str | Unset = UNSET,
    ollama_url: str | Unset = UNSET,
    ollama_model: str | Unset = UNSET,
    telegram_bot_token: str | Unset = UNSET,
    telegram_chat_id: str | Unset = UNSET,
    telegram_enabled: bool | Unset = UNSET,
    telegram_summary_time: str | Unset = UNSET,
    telegram_timezone: str | Unset = UNSET,
) -> User:
    """Met à jour les préférences d'affichage / IA / Telegram déjà validées par le sérialiseur."""
    prefs = provided(theme=theme, display_timezone=display_timezone, ai_provider=ai_provider,
                     ai_api_key=ai_api_key, openrouter_model=openrouter_model,
                     ollama_url=ollama_url, ollama_model=ollama_model,
                     telegram_bot_token=telegram_bot_token, telegram_chat_id=telegram_chat_id,
                     telegram_enabled=telegram_enabled, telegram_summary_time=telegram_summary_time,
                     telegram_timezone=telegram_timezone)
    for field, value in prefs.items():
        setattr(user, field, value)
    telegram_ready_check(user)
    user.save(update_fields=[*prefs.keys()] if prefs else None)
    return user


def user_password_change(*, user: User, current_password: str, new_password: str) -> None:
    """Change le mot de passe après vérification de l'actuel et des validateurs Django."""
    if not user.check_password(current_password):
        raise AristobotError(
            "Mot de passe actuel incorrect.", errors={"current_password": ["Incorrect."]}
        )
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        messages = list(exc.messages)
        raise AristobotError(
            "Nouveau mot de passe refusé : " + " ".join(messages),
            errors={"new_password": messages},
        ) from None
    user.set_password(new_password)
    user.save(update_fields=["password"])


# --- Gestion des utilisateurs par un administrateur (Mon Compte › Utilisateurs) -----------------
def _guard_self(*, actor: User, user: User, action: str) -> None:
    if actor.pk == user.pk:
        raise AristobotError(f"Vous ne pouvez pas {action} votre propre compte.", status_code=409)


@transaction.atomic
def user_admin_update(
    *, actor: User, user: User, is_active: bool | Unset = UNSET, is_staff: bool | Unset = UNSET
) -> User:
    """Active / désactive un compte ou change son rôle d'administrateur (pas le sien)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    fields = provided(is_active=is_active, is_staff=is_staff)
    if is_active is False:
        _guard_self(actor=actor, user=user, action="désactiver")
    if is_staff is False:
        _guard_self(actor=actor, user=user, action="retirer le rôle d'administrateur de")
    for name, value in fields.items():
        setattr(user, name, value)
    if fields:
        user.save(update_fields=list(fields))
    return user


def user_password_reset(*, user: User, password: str) -> None:
    """Nouveau mot de passe choisi par un administrateur (les sessions de l'utilisateur tombent)."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        messages = list(exc.messages)
        raise AristobotError("Mot de passe refusé : " + " ".join(messages),
                             errors={"password": messages}) from None
    user.set_password(password)
    user.save(update_fields=["password"])


@transaction.atomic
def user_delete(*, actor: User, user: User, confirm: bool = False) -> None:
    """Supprime un compte et tout ce qui lui appartient (brokers, stratégies, historique).

    S'il a des stratégies live ou des positions ouvertes, une confirmation est exigée (409
    `user_has_live_strategies` avec les nombres) ; confirmé, ses stratégies sont arrêtées et
    retirées d'abord (réglage ARISTOBOT_USER_RELEASE), les positions restant sur l'exchange.
    """
    from django.utils.module_loading import import_string

    _guard_self(actor=actor, user=user, action="supprimer")
    counts = trading_summary().get(user.pk, NO_TRADING)
    if (counts["live_strategies"] or counts["open_positions"]) and not confirm:
        live, positions = counts["live_strategies"], counts["open_positions"]
        raise AristobotError(
            f"« {user.username} » a {live} stratégie(s) live et {positions} position(s) ouverte(s) : "
            "confirmez la suppression (les stratégies seront arrêtées ; les positions restent "
            "ouvertes sur l'exchange et ne seront plus surveillées).",
            status_code=409, code="user_has_live_strategies", extra=counts)
    import_string(settings.ARISTOBOT_USER_RELEASE)(user=user)
    user.delete()
