import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';

/** What our refresh_url and return_url carry: the account and the seller's link token. */
export class OnboardingReturnQuery {
  @ApiProperty({ example: 'acct_1Nv0FGQ9RKHgCVdK' })
  @Matches(/^acct_[A-Za-z0-9]{1,64}$/, { message: 'account must be a connected account id (acct_...)' })
  account: string;

  @ApiProperty()
  @IsString()
  @Length(1, 64)
  token: string;
}
