from govkg.cli.main import main

main()
