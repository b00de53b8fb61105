"""MkDocs hook: the site works offline, and its search knows Chinese words.

Mermaid: Material for MkDocs loads mermaid from a CDN unless a global ``mermaid`` is already
defined, so the lifecycle diagram would show as raw text without internet access. This hook
serves a pinned mermaid from the site itself: at build time it takes the package from the
npm registry (``npm pack``), checks the tarball's integrity and the file's digest against
the pinned values, keeps the file in ``.cache/`` beside ``mkdocs.yml`` (never committed), and
adds it to the site and to ``extra_javascript``.

Search: Material segments Chinese text with jieba when it is installed; the user dictionary
beside this file adds the domain's terms (信用额度, not 信用 + 额度), loaded by absolute path so
that the build works from any working directory.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Final

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files

MERMAID_VERSION: Final = "11.17.2"  # the major version the theme's own loader asks for
MERMAID_INTEGRITY: Final = (  # the npm registry's integrity of mermaid-11.17.2.tgz
    "sha512-V6K3C8EBdEsPFZXSKMJe6ppQOENxuHARr9GvHX4hh47lAbhMRD9qf4oEK7LoaRQxULMa80/qt5gHO73aCleBBg=="
)
MERMAID_SHA256: Final = "581ed7d74bd9048d0e3a91363927d72ef22942d7722546b27f7cc29e35390eb8"
MERMAID_ASSET: Final = f"assets/javascripts/mermaid-{MERMAID_VERSION}.min.js"
ZH_TERMS: Final = Path(__file__).with_name("zh_terms.txt")

log = logging.getLogger("mkdocs.hooks.offline")


def _root(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path).resolve().parent


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _npm_pack(into: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise PluginError(
            f"the docs serve mermaid {MERMAID_VERSION} from the site and fetch it with npm, "
            "which is not installed (Debian: apt-get install npm)"
        )
    done = subprocess.run(  # noqa: S603 - a fixed command line with a pinned package version
        [npm, "pack", f"mermaid@{MERMAID_VERSION}", "--json", "--pack-destination", str(into)],
        cwd=into,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise PluginError(f"npm pack mermaid@{MERMAID_VERSION} failed:\n{done.stderr.strip()}")
    packed = json.loads(done.stdout)[0]
    if packed["integrity"] != MERMAID_INTEGRITY:
        raise PluginError(
            f"mermaid@{MERMAID_VERSION} from the registry has integrity {packed['integrity']}, "
            f"not the pinned {MERMAID_INTEGRITY}"
        )
    return into / str(packed["filename"])


def vendored_mermaid(cache: Path) -> Path:
    """The pinned ``mermaid.min.js`` in `cache`, fetched from the npm registry if missing."""
    target = cache / f"mermaid-{MERMAID_VERSION}.min.js"
    if target.is_file() and _digest(target) == MERMAID_SHA256:
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as scratch:
        tarball = _npm_pack(Path(scratch))
        with tarfile.open(tarball) as archive:
            member = archive.extractfile("package/dist/mermaid.min.js")
            if member is None:
                raise PluginError(f"mermaid@{MERMAID_VERSION} has no dist/mermaid.min.js")
            fetched = Path(scratch) / "mermaid.min.js"
            fetched.write_bytes(member.read())
        if _digest(fetched) != MERMAID_SHA256:
            raise PluginError(f"dist/mermaid.min.js of mermaid@{MERMAID_VERSION} changed digest")
        fetched.replace(target)
    log.info("fetched mermaid %s into %s", MERMAID_VERSION, target)
    return target


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Add the vendored mermaid to the pages' scripts and the domain terms to jieba."""
    config.extra_javascript.append(MERMAID_ASSET)
    try:
        import jieba  # noqa: PLC0415 - the docs extra has it; without it search still works
    except ImportError:
        log.warning("jieba is not installed: Chinese search terms will not be segmented")
    else:
        jieba.setLogLevel(logging.WARNING)
        jieba.load_userdict(str(ZH_TERMS))
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Put the vendored mermaid into the site."""
    source = vendored_mermaid(_root(config) / ".cache" / "mermaid")
    files.append(File.generated(config, MERMAID_ASSET, abs_src_path=str(source)))
    return files
