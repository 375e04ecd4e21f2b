"""What the workspace tests read of a page: its text with the entities decoded, and its sections."""

import html
import re


def page_text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def section(response, key: str) -> str:
    """The HTML of the section `key` (its anchor), decoded; fails when the page has none."""
    text = page_text(response)
    found = re.search(rf'<section class="fr-mb-6w" id="{key}".*?</section>', text, re.S)
    assert found, f"pas de section « {key} » dans la page"
    return found.group(0)


def has_section(response, key: str) -> bool:
    return f'<section class="fr-mb-6w" id="{key}"' in page_text(response)
