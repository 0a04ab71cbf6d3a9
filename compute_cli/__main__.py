from compute_cli.cli import main

main()
