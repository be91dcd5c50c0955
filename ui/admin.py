"""The door of the Bibliothèque: closed unless CTG_ADMIN_PASSWORD is set, then opened per session
by that password."""

from __future__ import annotations

import hmac
import logging
import time

import streamlit as st

from kb.core.config import get_settings

log = logging.getLogger(__name__)

# A refused attempt costs this many seconds, so that guessing by script is slow.
REFUSAL_DELAY = 1.0
_KEY = "admin"


def unlocked() -> bool:
    """Whether this session may manage the library; otherwise shows why not, or the login."""
    secret = get_settings().admin_password
    expected = secret.get_secret_value() if secret else ""
    if not expected:
        st.info(
            "La gestion de la bibliothèque est désactivée. Pour l'activer, définissez un mot de "
            "passe dans la variable d'environnement `CTG_ADMIN_PASSWORD` (ou dans le fichier "
            "`.env`), puis relancez l'application."
        )
        return False
    if st.session_state.get(_KEY):
        st.sidebar.button("Se déconnecter", on_click=st.session_state.pop, args=(_KEY,))
        return True
    with st.form("login"):
        st.markdown("**Espace administrateur** : déposer, supprimer, réindexer, lire les avis.")
        given = st.text_input("Mot de passe", type="password")
        entered = st.form_submit_button("Entrer")
    if not entered:
        return False
    if hmac.compare_digest(given.encode(), expected.encode()):
        st.session_state[_KEY] = True
        st.rerun()
    log.warning("Bibliothèque : mot de passe administrateur refusé")
    time.sleep(REFUSAL_DELAY)
    st.error("Mot de passe incorrect.")
    return False
