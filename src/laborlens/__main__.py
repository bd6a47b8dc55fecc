from laborlens.cli import main

main()
