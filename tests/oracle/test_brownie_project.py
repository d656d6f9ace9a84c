"""The brownie project is loaded under its fixed name, whatever its folder is called (a clone into a folder
whose name starts with a digit works)."""

from brownie import project

from oracle.brownie_project import PROJECT_NAME


def test_pytest_loaded_the_project_under_its_fixed_name():
    """brownie's plugin called project.load without a name: the name came from oracle.brownie_project, not from
    the folder (which brownie refuses when it starts with a digit)."""
    [loaded] = project.get_loaded_projects()
    assert loaded._name == PROJECT_NAME
