"""The Streamlit app: one script per page in ui/pages/, and the helpers they share. Pages reach
the index, the catalogue and the feedback only through `kb` and `ingest` functions."""
