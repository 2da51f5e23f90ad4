import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db
T = timezone.now().date()
BIG = "9223372036854775807"


@pytest.mark.parametrize(
    "q",
    [
        f"metrics/code_fundamentals/period_metrics/?start_date={T}&resolution=week&{p}={BIG}"
        for p in [
            "team_id",
            "team_id__in",
            "apex_user_id",
            "apex_user_id__in",
            "repo_id",
            "repo_id__in",
            "repo_id_not__in",
            "repo_tag_id",
            "repo_tag_id__in",
        ]
    ]
    + [
        f"core/teams/?parent={BIG}",
        f"core/teams/?id__in={BIG}",
        f"core/users/?team_member={BIG}",
        f"core/users/?id__in=-{BIG}",
        f"core/users/?offset={BIG}",
        f"core/teams/?offset={BIG}&limit={BIG}",
        "core/users/?offset=99999999999999999999999",
    ],
)
def test_probe(api_client, q):
    r = api_client.get("/v3/customer/" + q)
    print(q, r.status_code, r.content[:150])
    assert r.status_code in (200, 400, 404)
