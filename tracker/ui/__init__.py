"""The only part of tracker that imports Streamlit: session glue, navigation and shared widgets."""
