from kiln_plugins.main import main

main()
