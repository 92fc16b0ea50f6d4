import sys
from pathlib import Path

# project_copy (make_project, run_refresh) lives with the pipeline tests
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pipeline"))
