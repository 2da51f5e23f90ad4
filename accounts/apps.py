from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and access"

    def ready(self) -> None:
        from django.contrib.auth.models import Group
        from django.db.models.signals import m2m_changed

        from accounts.authentication import verified_keys
        from accounts.models import ApiKey, Organization, User

        # Whatever could revoke a key or take a permission away empties this process's cache of
        # verified keys (accounts.authentication); other processes forget within the TTL.
        verified_keys.clear_on_changes(ApiKey, User, Group, Organization)
        for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
            uid = f"verified-keys-m2m-{through.__name__}"
            m2m_changed.connect(verified_keys.clear, sender=through, dispatch_uid=uid)
