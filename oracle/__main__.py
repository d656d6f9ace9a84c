from oracle.cli import app

app(prog_name="oracle")
