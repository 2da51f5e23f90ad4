#!/usr/bin/env bash
# The serve half of `make run` (after the venv is installed): migrate, demo data, an admin login and
# an API key, then the development server. Idempotent: run it again and it reuses the admin
# password in var/admin-password and the API key in var/api-key while they still work.
# Environment: DATABASE_URL (SQLite under var/ when unset), RUN_ADDR (default 127.0.0.1:8000).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
ADDR=${RUN_ADDR:-127.0.0.1:8000}
ORG=demo
API_EMAIL=api@demo.test
manage() { "$PY" manage.py "$@"; }

mkdir -p var
chmod 700 var

echo "==> Migrating the database"
manage migrate --noinput

echo "==> Demo data (organization \"$ORG\")"
manage seed_demo

echo "==> Admin login"
if [[ ! -s var/admin-password ]]; then
  (umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(12))' >var/admin-password)
fi
ADMIN_PASSWORD=$(<var/admin-password) ORG=$ORG manage shell --no-imports <<'PYTHON'
import os

from accounts.models import Organization, User

user, _ = User.objects.get_or_create(username="admin", defaults={"email": "admin@demo.test"})
user.is_staff = user.is_superuser = user.is_active = True
user.organization = Organization.objects.get(slug=os.environ["ORG"])
user.set_password(os.environ["ADMIN_PASSWORD"])
user.save()
PYTHON

echo "==> API key"
API_KEY=""
if [[ -s var/api-key ]]; then
  # Reuse the saved key while it is valid, of the demo organization, and its user may use the API.
  if API_KEY=$(<var/api-key) ORG=$ORG manage shell --no-imports <<'PYTHON'
import os
import sys

from accounts.models import METRICS_API_PERMISSION, ApiKey

key = os.environ["API_KEY"]
ok = ApiKey.objects.is_valid(key)
if ok:
    record = ApiKey.objects.get_from_key(key)
    ok = record.organization.slug == os.environ["ORG"] and record.user.has_perm(METRICS_API_PERMISSION)
sys.exit(0 if ok else 1)
PYTHON
  then
    API_KEY=$(<var/api-key)
  fi
fi
if [[ -z "$API_KEY" ]]; then
  API_KEY=$(manage create_api_key --org "$ORG" --email "$API_EMAIL" --role "Metrics API" | tail -n 1)
  (umask 077 && printf '%s\n' "$API_KEY" >var/api-key)
fi

cat <<EOF

==============================================================================
 Tally on http://$ADDR/

 Admin          http://$ADDR/admin/
                user: admin   password: $(<var/admin-password)   (kept in var/admin-password)
 API key        $API_KEY
                (user $API_EMAIL, role "Metrics API", organization "$ORG"; kept in var/api-key)
 API docs       http://$ADDR/api/docs/   ("Authorize": Bearer <key>)

 Try:
   curl -H "Authorization: Bearer $API_KEY" "$ADDR/ticket-delivery/ticket-log?limit=2"
==============================================================================

EOF
exec "$PY" manage.py runserver "$ADDR"
