"""Documents on the registration form: uploading, archiving (never deleting) and downloading."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from register import services
from register.models import Document, Partnership
from tests.factories import PartnershipFactory, UserFactory
from tests.helpers import date_boxes
from tests.register.registration_helpers import assert_field_error, fill, section_url

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def draft(officer):
    return services.start_registration(author=officer, name="Riverside Regeneration Partnership")


def upload(client, partnership, name="terms.pdf", content=PDF, **fields):
    data = {
        "upload-document_type": "terms_of_reference",
        "upload-title": "Terms of reference",
        **date_boxes("upload-document_date", "01/04/2026"),
        "upload-file": SimpleUploadedFile(name, content),
    }
    data.update(fields)
    return fill(client, section_url(partnership, "documents"), **data)


def test_an_uploaded_document_is_kept_and_downloadable_as_an_attachment(
    officer_client, officer, draft
):
    response = upload(officer_client, draft, governing_document_type="terms_of_reference")
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.partnership == draft
    assert document.uploaded_by == officer
    assert document.title == "Terms of reference"
    draft.refresh_from_db()
    assert draft.governing_document_type == "terms_of_reference"

    download = officer_client.get(
        reverse("register:document_download", args=[draft.reference, document.pk])
    )
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert 'filename="terms.pdf"' in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == PDF

    page = officer_client.get(section_url(draft, "documents")).content.decode()
    assert "Terms of reference" in page
    assert "Archive<span" in page


@pytest.mark.parametrize(
    ("name", "content", "fields", "anchor", "message"),
    [
        (
            "virus.exe",
            b"MZ",
            {},
            "id_upload-file",
            "The selected file must be a PDF, Word, OpenDocument, RTF, text, Excel or CSV file",
        ),
        (
            "noextension",
            b"data",
            {},
            "id_upload-file",
            "The selected file must be a PDF, Word, OpenDocument, RTF, text, Excel or CSV file",
        ),
        (
            "huge.pdf",
            b"x" * (10 * 1024 * 1024 + 1),
            {},
            "id_upload-file",
            "The selected file must be smaller than 10 MB",
        ),
        ("empty.pdf", b"", {}, "id_upload-file", "The selected file is empty"),
        (
            "terms.pdf",
            PDF,
            {"upload-title": ""},
            "id_upload-title",
            "Enter the title of the document",
        ),
        (
            "terms.pdf",
            PDF,
            {"upload-document_type": ""},
            "id_upload-document_type",
            "Select the type of document",
        ),
        (
            "terms.pdf",
            PDF,
            {"upload-document_type": "malware"},
            "id_upload-document_type",
            "Select the type of document from the list",
        ),
        (
            "terms.pdf",
            PDF,
            {"upload-title": "t" * 201},
            "id_upload-title",
            "Title of document must be 200 characters or fewer",
        ),
        (
            "terms.pdf",
            PDF,
            date_boxes("upload-document_date", "30/02/2026"),
            "id_upload-document_date",
            "Date of document must be a real date",
        ),
        (
            f"{'n' * 151}.pdf",
            PDF,
            {},
            "id_upload-file",
            "The file name must be 150 characters or fewer",
        ),
    ],
    ids=[
        "exe",
        "no-extension",
        "over-10-MB",
        "empty",
        "no-title",
        "no-type",
        "forged-type",
        "long-title",
        "impossible-date",
        "long-file-name",
    ],
)
def test_a_bad_upload_is_refused_and_nothing_saved(
    officer_client, draft, name, content, fields, anchor, message
):
    response = upload(officer_client, draft, name=name, content=content, **fields)
    assert response.status_code == 200
    assert_field_error(response, anchor, message)
    assert Document.objects.count() == 0
    draft.refresh_from_db()
    assert draft.version == 1


def test_a_title_without_a_file_asks_for_the_file(officer_client, draft):
    response = fill(
        officer_client,
        section_url(draft, "documents"),
        **{"upload-title": "Minutes", "upload-document_type": "other"},
    )
    assert_field_error(response, "id_upload-file", "Select a file to upload")
    assert Document.objects.count() == 0


def test_leaving_the_upload_blank_saves_the_rest(officer_client, draft):
    response = fill(officer_client, section_url(draft, "documents"), governing_document_type="mou")
    assert response.status_code == 302
    assert Document.objects.count() == 0
    draft.refresh_from_db()
    assert draft.governing_document_type == "mou"


def make_document(partnership, **kwargs):
    return Document.objects.create(
        partnership=partnership,
        document_type=Document.Type.GOVERNING_DOCUMENT,
        title=kwargs.pop("title", "Memorandum of understanding"),
        file=SimpleUploadedFile("mou.pdf", PDF),
        uploaded_by=partnership.author,
        **kwargs,
    )


def test_archiving_keeps_the_document_and_it_can_still_be_downloaded(officer_client, draft):
    document = make_document(draft)
    response = officer_client.post(
        reverse("register:document_archive", args=[draft.reference, document.pk])
    )
    assert response.url == section_url(draft, "documents")
    document.refresh_from_db()
    assert document.is_archived
    page = officer_client.get(section_url(draft, "documents")).content.decode()
    assert "Archived documents (1)" in page
    download = officer_client.get(
        reverse("register:document_download", args=[draft.reference, document.pk])
    )
    assert download.status_code == 200


def test_a_document_is_only_found_through_its_own_partnership(officer_client, officer, draft):
    other = PartnershipFactory(author=officer)
    theirs = make_document(other)
    download = reverse("register:document_download", args=[draft.reference, theirs.pk])
    archive = reverse("register:document_archive", args=[draft.reference, theirs.pk])
    assert officer_client.get(download).status_code == 404
    assert officer_client.post(archive).status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_archived


def test_a_stranger_cannot_download_or_archive_a_drafts_document(client, other_officer, draft):
    document = make_document(draft)
    client.force_login(other_officer)
    args = [draft.reference, document.pk]
    assert client.get(reverse("register:document_download", args=args)).status_code == 404
    assert client.post(reverse("register:document_archive", args=args)).status_code == 404
    document.refresh_from_db()
    assert not document.is_archived


def test_read_only_users_may_download_but_not_archive(read_only_client, draft):
    document = make_document(draft)
    args = [draft.reference, document.pk]
    assert read_only_client.get(reverse("register:document_download", args=args)).status_code == 200
    assert read_only_client.post(reverse("register:document_archive", args=args)).status_code == 403
    document.refresh_from_db()
    assert not document.is_archived


def test_anyone_signed_in_may_download_an_active_partnerships_document(client, officer):
    partnership = PartnershipFactory(author=officer, status=Partnership.Status.ACTIVE)
    document = make_document(partnership, is_archived=True)
    client.force_login(UserFactory())
    url = reverse("register:document_download", args=[partnership.reference, document.pk])
    assert client.get(url).status_code == 200


def test_a_document_whose_file_is_missing_is_not_found(officer_client, draft, media_root):
    document = make_document(draft)
    (media_root / document.file.name).unlink()
    url = reverse("register:document_download", args=[draft.reference, document.pk])
    assert officer_client.get(url).status_code == 404
