"""Files dropped in the Bibliothèque: safe names, limits on count, size and format, saving."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.conftest import make_settings
from ui.uploads import MAX_FILES, MAX_NAME_BYTES, check, folder_for, is_upload, safe_name, save


@dataclass
class FakeUpload:
    name: str
    data: bytes = b"# Note\n\nUn texte."

    @property
    def size(self) -> int:
        return len(self.data)

    def getvalue(self) -> bytes:
        return self.data


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd.md", "passwd.md"),
        ("C:\\Users\\moi\\note.pdf", "note.pdf"),
        (".env.md", "env.md"),
        ("rapport\x00\x1b[31m.txt", "rapport[31m.txt"),
        ("fdp\u202excod.md", "fdpxcod.md"),  # a right-to-left override would disguise it
        ("a<b>:c?.html", "a_b__c_.html"),
        ("  plusieurs   espaces .md ", "plusieurs espaces.md"),
        ("..", "document"),
    ],
)
def test_unsafe_names_are_neutralised(given, expected):
    assert safe_name(given) == expected


def test_long_names_are_cut_in_bytes_and_keep_their_suffix():
    name = safe_name("é" * 300 + ".docx")
    assert name.endswith(".docx") and len(name.encode()) <= MAX_NAME_BYTES


def test_count_size_format_and_duplicates_are_checked():
    files = [FakeUpload("a.md"), FakeUpload("b.exe"), FakeUpload("c.pdf", b"x" * 2048),
             FakeUpload("vide.txt", b""), FakeUpload("dossier/a.md")]
    files += [FakeUpload(f"n{i}.md") for i in range(MAX_FILES)]
    accepted, refused = check(files, max_bytes=1024)
    # The first MAX_FILES files are looked at; five of them are refused for other reasons.
    assert [name for name, _ in accepted] == ["a.md", *(f"n{i}.md" for i in range(MAX_FILES - 5))]
    reasons = {r.name: r.message for r in refused}
    assert "Format non pris en charge" in reasons["b.exe"]
    assert "trop volumineux" in reasons["c.pdf"]
    assert reasons["vide.txt"] == "Fichier vide."
    assert "porte déjà le nom" in reasons["dossier/a.md"]
    assert sum("Trop de fichiers" in r.message for r in refused) == 5


def test_files_are_saved_in_their_type_folder_and_replaced_by_a_new_version(tmp_path):
    settings = make_settings(tmp_path / "data")
    folder = folder_for(settings, "programme")
    assert folder == settings.data_dir / "uploads" / "programmes"
    assert folder_for(settings, None) == settings.data_dir / "uploads"
    [path] = save([("note.md", FakeUpload("note.md", b"v1"))], folder)
    save([("note.md", FakeUpload("note.md", b"v2"))], folder)
    assert path.read_bytes() == b"v2" and sorted(p.name for p in folder.iterdir()) == ["note.md"]
    assert is_upload(settings, str(path)) and not is_upload(settings, str(tmp_path / "x.md"))
