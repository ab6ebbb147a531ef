! The eighth batch's Fortran program: the runtime's own errors (a list
! read, an index out of bounds with -fcheck=bounds) and ERROR STOP.
! "batch8 SCENARIO VALUE"
program batch8
  implicit none
  character(len=32) :: scenario, v
  call get_command_argument(1, scenario)
  call get_command_argument(2, v)
  select case (trim(scenario))
  case ('read')
    call parse_qty(v)
  case ('bounds')
    call slot(len_trim(v))
  case ('stop')
    call settle(v)
  end select
contains
  subroutine parse_qty(s)
    character(len=*), intent(in) :: s
    integer :: n
    read (s, *) n
    print *, n
  end subroutine parse_qty
  subroutine slot(i)
    integer, intent(in) :: i
    integer :: a(1)
    a = 0
    a(i) = 1
    print *, a
  end subroutine slot
  subroutine settle(s)
    character(len=*), intent(in) :: s
    error stop 'cannot settle ' // trim(s)
  end subroutine settle
end program batch8
