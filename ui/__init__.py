"""Streamlit pages. Each page wires `kb` functions to widgets; none talks to Chroma directly."""
