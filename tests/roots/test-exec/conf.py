# A three-notebook book executed through jupyter-cache, as the book's _config.yml sets it.
extensions = ["myst_nb"]
nb_execution_mode = "cache"
nb_execution_timeout = 120
nb_execution_allow_errors = False
nb_execution_raise_on_error = False   # jupyter-book's default: a failure is a warning (an error with -W)
nb_execution_show_tb = True
html_theme = "basic"
exclude_patterns = ["_build"]
