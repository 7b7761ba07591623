"""The organisation's address and logo, printed on quotes: what an administrator may upload."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from rapport.core.errors import ActionNotAllowed, InvalidInput
from rapport.core.models import OrganisationSettings
from rapport.core.services.org import LOGO_NOT_AN_IMAGE, LOGO_TOO_LARGE, organisation_update
from tests.settings_pages.conftest import settings_state

URL = "settings:organisation"


def _image(kind: str = "PNG", size: tuple[int, int] = (60, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format=kind)
    return buffer.getvalue()


def _post(client: Client, **extra: Any) -> Any:
    data = {"company_name": "Rapport Sp. z o.o.", "company_currency": "EUR", **extra}
    return client.post(reverse(URL), data)


def _row() -> OrganisationSettings:
    return OrganisationSettings.objects.get(pk=1)


def test_the_form_uploads_files(org: Any, admin_client: Client) -> None:
    page = admin_client.get(reverse(URL)).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'name="company_address"' in page and 'name="company_logo"' in page
    assert 'name="remove_logo"' not in page  # nothing to remove yet


@pytest.mark.parametrize(("kind", "extension"), [("PNG", ".png"), ("JPEG", ".jpg")])
def test_an_address_and_a_logo_are_saved(org: Any, admin_client: Client, kind: str, extension: str) -> None:
    logo = SimpleUploadedFile(f"brand{extension}", _image(kind), content_type=f"image/{kind.lower()}")
    response = _post(admin_client, company_address="  ul. Złota 44  \n00-120 Warszawa\n", company_logo=logo)
    assert response.status_code == 302
    row = _row()
    assert row.company_address == "ul. Złota 44\n00-120 Warszawa"
    name = str(row.company_logo.name)
    assert name.startswith("org/logo") and name.endswith(extension)
    with default_storage.open(name, "rb") as stream:
        assert stream.read() == _image(kind)
    page = admin_client.get(reverse(URL)).content.decode()
    assert name in page and 'name="remove_logo"' in page


def test_a_new_logo_replaces_the_old_file_and_the_logo_can_be_removed(
    org: Any, admin_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _post(admin_client, company_logo=SimpleUploadedFile("a.png", _image()))
    first = str(_row().company_logo.name)
    with django_capture_on_commit_callbacks(execute=True):
        _post(admin_client, company_logo=SimpleUploadedFile("b.png", _image(size=(10, 10))))
    second = str(_row().company_logo.name)
    assert second != first and not default_storage.exists(first) and default_storage.exists(second)
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(admin_client, remove_logo="on").status_code == 302
    assert not _row().company_logo and not default_storage.exists(second)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.png", b"just some text, renamed", LOGO_NOT_AN_IMAGE),
        ("logo.gif", b"GIF89a" + _image("GIF")[6:], LOGO_NOT_AN_IMAGE),
        ("logo.png", _image()[:40], LOGO_NOT_AN_IMAGE),  # truncated
        ("logo.png", _image() + b"\0" * (1024 * 1024), LOGO_TOO_LARGE),
    ],
)
def test_a_file_that_is_no_small_png_or_jpeg_is_refused(
    org: Any, admin_client: Client, name: str, content: bytes, message: Any
) -> None:
    before = settings_state()
    files_before = _media_files()
    response = _post(admin_client, company_name="Changed", company_logo=SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert response.context["form"].errors == {"company_logo": [str(message)]}
    assert str(message) in response.content.decode()
    assert settings_state() == before
    assert _media_files() == files_before


def test_the_service_refuses_a_non_administrator_and_a_fake_image(org: Any) -> None:
    with pytest.raises(ActionNotAllowed):
        organisation_update(actor=org.salesperson, company_address="Hijacked")
    with pytest.raises(InvalidInput) as refused:
        organisation_update(actor=org.admin, company_logo=SimpleUploadedFile("x.jpg", b"<?php echo 1; ?>"))
    assert refused.value.errors == {"company_logo": [str(LOGO_NOT_AN_IMAGE)]}
    assert not _row().company_logo


def _media_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT) / "org"
    return set(root.iterdir()) if root.exists() else set()
