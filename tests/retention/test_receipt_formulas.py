"""The erasure receipt as CSV is a file the product writes: a name that reads as a formula comes out as quoted
text (formula injection, issue #15 finding 3)."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from core.spreadsheet import restore
from retention.services import erasure_request_file
from tests.retention.test_erasure import family  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("http://evil.example/","受付票")'


def test_a_formula_named_municipality_and_user_are_quoted_in_the_receipt_csv(client, family, administrator,  # noqa: F811
                                                                             osaka):
    osaka.name, administrator.last_name, administrator.first_name = "@SUM(1,2)市", LINK, ""
    osaka.save()
    administrator.save()
    filed = erasure_request_file(user=administrator, household=family, received_on=dt.date(2026, 11, 2))
    client.force_login(administrator)
    response = client.get(reverse("retention:receipt_csv", args=[filed.pk]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    values = dict(rows[1:])
    assert values["自治体"] == "'@SUM(1,2)市" and restore(values["自治体"]) == "@SUM(1,2)市"
    assert values["受付者"] == "'" + LINK and restore(values["受付者"]) == LINK
    assert not [cell for row in rows for cell in row if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
